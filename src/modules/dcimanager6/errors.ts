import { defineErrors } from '../../core/errors.js';

/** Every error the DCImanager 6 module raises, written for the operator who reads docs/errors.md. */
export const dcimanager6Errors = defineErrors('dcimanager6', {
  'dcimanager6.username_not_email': {
    kind: 'invalid-input',
    meaning:
      'The username of a DCImanager 6 server must be the email of its @admin user. Correct the server.',
  },
  'dcimanager6.password_empty': {
    kind: 'invalid-input',
    meaning: 'The DCImanager 6 server has no admin password. Set it on the server.',
  },
  'dcimanager6.admin_not_found': {
    kind: 'auth',
    meaning: "DCImanager's user list has no user with the server's username. Check the username.",
  },
  'dcimanager6.not_admin': {
    kind: 'auth',
    meaning: "The server's user lacks the @admin role that provisioning needs. Use an administrator account.",
  },
  'dcimanager6.login_failed': {
    kind: 'auth',
    meaning: 'DCImanager refused the login. Check the admin email and password of the server.',
  },
  'dcimanager6.login_no_token': {
    kind: 'remote',
    meaning:
      'DCImanager accepted the login but answered without a session token: not a DCImanager 6 auth v4?',
  },
  'dcimanager6.unavailable': {
    kind: 'unavailable',
    meaning: 'DCImanager kept answering 503 ("service waking up") or a gateway error; the action is retried.',
  },
  'dcimanager6.handler_not_found': {
    kind: 'unsupported',
    meaning:
      "DCImanager has no handler for a route the module calls (code 1106): this DCImanager's API differs from the module's route table (src/modules/dcimanager6/routes.ts, docs/specs/dcimanager6.md).",
  },
  'dcimanager6.session_refused': {
    kind: 'auth',
    meaning:
      'DCImanager refused the session even right after a new login. Check the admin account is not blocked.',
  },
  'dcimanager6.forbidden': {
    kind: 'auth',
    meaning: "DCImanager refused a call for the server's user (403): it needs the @admin role.",
  },
  'dcimanager6.not_found': {
    kind: 'not-found',
    meaning: 'DCImanager has no such object (a server, user, address or template was deleted there).',
  },
  'dcimanager6.conflict': {
    kind: 'conflict',
    meaning:
      "DCImanager refused a change because of the object's state (an operation still running, a user that exists).",
  },
  'dcimanager6.refused': {
    kind: 'remote',
    meaning: 'DCImanager refused a request with its own message; the message says why.',
  },
  'dcimanager6.order_invalid': {
    kind: 'invalid-input',
    meaning:
      'The order cannot be activated as given (server id, OS, IP options); the message lists each field.',
  },
  'dcimanager6.email_not_verified': {
    kind: 'invalid-input',
    meaning: 'The product requires a verified client email (DCImanager users are matched by email).',
  },
  'dcimanager6.pinned_server_missing': {
    kind: 'not-found',
    meaning:
      'The "DCImgr server ID" of the service names a server DCImanager does not have. Correct or clear the field.',
  },
  'dcimanager6.server_in_use': {
    kind: 'conflict',
    meaning:
      'The selected server is already in use: the pinned server has an owner, or carries the mark of another service. Pin another server or clear the field.',
  },
  'dcimanager6.server_taken': {
    kind: 'conflict',
    meaning: 'Between picking a free server and claiming it, someone else took it. Retry the activation.',
  },
  'dcimanager6.no_free_server': {
    kind: 'not-found',
    meaning:
      'No free server has the configuration (and location). Add servers, finish their diagnostics, or release one.',
  },
  'dcimanager6.mark_not_written': {
    kind: 'remote',
    meaning:
      "DCImanager accepted the server comment holding the service's mark but does not show it: the comment route differs from docs/specs/dcimanager6.md §13.",
  },
  'dcimanager6.user_is_admin': {
    kind: 'conflict',
    meaning:
      'The email is a DCImanager administrator: it is never made a server owner nor given a sign-in link.',
  },
  'dcimanager6.user_missing': {
    kind: 'not-found',
    meaning:
      "The client's DCImanager user does not exist (deleted by hand?). Activate the service again or create the user.",
  },
  'dcimanager6.user_missing_after_create': {
    kind: 'remote',
    meaning: 'DCImanager accepted a new user but does not list it.',
  },
  'dcimanager6.template_not_found': {
    kind: 'not-found',
    meaning:
      'DCImanager has no template of that name and type. Check the template name in the product settings.',
  },
  'dcimanager6.os_not_offered': {
    kind: 'invalid-input',
    meaning:
      'A reinstall asked for an OS template DCImanager does not offer; nothing was changed. The message lists those it offers.',
  },
  'dcimanager6.install_not_started': {
    kind: 'remote',
    meaning: 'DCImanager accepted an OS install but started no operation on the server.',
  },
  'dcimanager6.install_failed': {
    kind: 'remote',
    meaning: "The OS install operation failed in DCImanager; the message has the operation's own text.",
  },
  'dcimanager6.diagnostics_not_started': {
    kind: 'remote',
    meaning: 'DCImanager accepted diagnostics but started no operation on the server.',
  },
  'dcimanager6.no_switch_ports': {
    kind: 'unsupported',
    meaning: 'The server has no data switch ports in DCImanager, so it cannot be suspended or unsuspended.',
  },
  'dcimanager6.no_server': {
    kind: 'not-found',
    meaning: 'The service has no DCImanager server yet: activate it first.',
  },
  'dcimanager6.not_ours': {
    kind: 'conflict',
    meaning:
      "The service's server does not carry this service's mark (anymore): it was released or given to someone else by hand. Nothing was changed; check it in DCImanager, or adopt it.",
  },
  'dcimanager6.marked_by_other': {
    kind: 'conflict',
    meaning: 'The server carries the mark of another service: it is never adopted by this one.',
  },
  'dcimanager6.owned_by_other_client': {
    kind: 'conflict',
    meaning: "The server belongs to a DCImanager user other than the service's client: it is not adopted.",
  },
  'dcimanager6.password_too_short': {
    kind: 'invalid-input',
    meaning: 'DCImanager accepts passwords of at least 8 characters. Choose a longer one.',
  },
});
