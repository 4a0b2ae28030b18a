import { X509Certificate } from 'node:crypto';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { generate } from 'selfsigned';

/** A self-signed certificate for 127.0.0.1 and localhost, made at start, with its fingerprint. */
export interface EmulatorCertificate {
  key: string;
  cert: string;
  /** SHA-256, colon-separated hex, as `provisio server add --tls-fingerprint` takes it. */
  fingerprint256: string;
}

export async function makeCertificate(commonName: string): Promise<EmulatorCertificate> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return {
    key: pems.private,
    cert: pems.cert,
    fingerprint256: new X509Certificate(pems.cert).fingerprint256,
  };
}

/**
 * What nginx (the usual front of these panels) answers to a plain-HTTP request on its TLS port.
 * Source: nginx `ngx_http_request.c` "The plain HTTP request was sent to HTTPS port" (status 400,
 * `NGX_HTTP_TO_HTTPS`); the body text is nginx's default error page.
 */
export const PLAIN_HTTP_ON_TLS_PORT =
  'HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n' +
  '<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>\r\n<body>\r\n' +
  '<center><h1>400 Bad Request</h1></center>\r\n<center>The plain HTTP request was sent to HTTPS port</center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/**
 * A TLS listener that tells a TLS handshake (first byte 0x16) from anything else, as a real TLS
 * front does: TLS goes to `onSecure`; plain text gets `plainAnswer` (HTTP: nginx's 400 page) or,
 * with `plainAnswer` null, an immediate close (a bare TLS service such as Axigen's 7001).
 */
export function createTlsListener(
  certificate: EmulatorCertificate,
  onSecure: (socket: TLSSocket) => void,
  plainAnswer: string | null,
): Server {
  const tls = createTlsServer({ key: certificate.key, cert: certificate.cert }, onSecure);
  tls.on('tlsClientError', (_error, socket) => socket.destroy());
  return createNetServer((socket: Socket) => {
    socket.on('error', () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      if (first[0] !== 0x16) {
        if (plainAnswer === null) socket.destroy();
        else socket.end(plainAnswer);
        return;
      }
      // A TLSSocket made over a net.Socket reads its native handle directly, so bytes already read
      // (the sniffed ClientHello) would be lost; over a JS stream it reads what the stream pushes.
      tls.emit('connection', replayStream(socket, first));
    });
  });
}

/** A duplex over `socket` that first yields `first` (already read), then the rest of the socket. */
function replayStream(socket: Socket, first: Buffer): Duplex {
  const stream = new Duplex({
    read: () => void socket.resume(),
    write: (chunk, encoding, callback) => void socket.write(chunk, encoding, callback),
    final: (callback) => void socket.end(callback),
    destroy: (error, callback) => {
      socket.destroy(error ?? undefined);
      callback(error);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on('end', () => stream.push(null));
  socket.on('close', () => stream.destroy());
  stream.push(first);
  return stream;
}
