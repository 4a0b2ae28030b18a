<?php
/**
 * The stand-in's entry point, run as `php call.php <command> …` with WHMCS_DB naming the database:
 *
 *   setup                                  create the WHMCS tables this stand-in knows
 *   sql                                    run {"sql", "bindings"} from stdin, print rows as JSON
 *   call <module dir> <Function> [service <id> | server <id> | product <pid> <server id>]
 *                                          build $params as WHMCS does, call the module function,
 *                                          apply WHMCS's reaction (status on "success", Module
 *                                          Queue entry on a failed automated action), print
 *                                          {"result": …} as JSON
 */

require __DIR__ . '/whmcs.php';

use WHMCS\Database\Capsule;

function standin_setup()
{
    $pdo = Capsule::pdo();
    $tables = array(
        'tblclients' => 'id INT AUTO_INCREMENT PRIMARY KEY, firstname TEXT, lastname TEXT, companyname TEXT, email TEXT',
        'tblservers' => 'id INT AUTO_INCREMENT PRIMARY KEY, name TEXT, ipaddress TEXT, hostname TEXT, port INT NULL, secure VARCHAR(3) DEFAULT \'\', username TEXT, password TEXT, accesshash TEXT, type TEXT',
        'tblproducts' => 'id INT AUTO_INCREMENT PRIMARY KEY, name TEXT, servertype TEXT, type VARCHAR(32) DEFAULT \'other\'' . implode('', array_map(function ($i) {
            return ", configoption$i TEXT";
        }, range(1, 24))),
        'tblhosting' => 'id INT AUTO_INCREMENT PRIMARY KEY, userid INT, packageid INT, server INT, domain TEXT, username TEXT, password TEXT, domainstatus VARCHAR(20), dedicatedip TEXT, assignedips TEXT, suspendreason TEXT, diskusage INT DEFAULT 0, disklimit INT DEFAULT 0, bwusage INT DEFAULT 0, bwlimit INT DEFAULT 0, lastupdate DATETIME NULL',
        'tblcustomfields' => 'id INT AUTO_INCREMENT PRIMARY KEY, type TEXT, relid INT, fieldname TEXT',
        'tblcustomfieldsvalues' => 'fieldid INT, relid INT, value TEXT',
        'tblhostingconfigoptions' => 'relid INT, optionname TEXT, value TEXT',
        'tblmodulequeue' => 'id INT AUTO_INCREMENT PRIMARY KEY, service_type TEXT, service_id INT, module_name TEXT, module_action TEXT, last_attempt_error TEXT, num_retries INT DEFAULT 0, completed INT DEFAULT 0',
        'tblmodulelog' => 'id INT AUTO_INCREMENT PRIMARY KEY, module TEXT, action TEXT, request MEDIUMTEXT, response MEDIUMTEXT, arrdata MEDIUMTEXT',
    );
    foreach ($tables as $name => $columns) {
        $pdo->exec("DROP TABLE IF EXISTS `$name`");
        $pdo->exec("CREATE TABLE `$name` ($columns)");
    }
}

function standin_server_params($serverId)
{
    $s = Capsule::table('tblservers')->where('id', $serverId)->first();
    return array(
        'serverid' => (int) $s->id,
        'server' => true,
        'serverip' => (string) $s->ipaddress,
        'serverhostname' => (string) $s->hostname,
        'serverusername' => (string) $s->username,
        'serverpassword' => (string) $s->password,
        'serveraccesshash' => (string) $s->accesshash,
        'serversecure' => $s->secure === 'on',
        'serverhttpprefix' => $s->secure === 'on' ? 'https' : 'http',
        'serverport' => $s->port === null ? '' : (string) $s->port,
    );
}

function standin_service_params($serviceId, $moduleName)
{
    $h = Capsule::table('tblhosting')->where('id', $serviceId)->first();
    $product = Capsule::table('tblproducts')->where('id', $h->packageid)->first();
    $client = Capsule::table('tblclients')->where('id', $h->userid)->first();
    $params = array(
        'serviceid' => (int) $h->id,
        'accountid' => (int) $h->id,
        'userid' => (int) $h->userid,
        'pid' => (int) $h->packageid,
        'domain' => (string) $h->domain,
        'username' => (string) $h->username,
        'password' => (string) $h->password,
        'producttype' => $product->type,
        'moduletype' => $moduleName,
        'clientsdetails' => (array) $client,
        'configoptions' => array(),
        'customfields' => array(),
        'model' => new StandInServiceModel((int) $h->id, (int) $h->packageid),
    );
    for ($i = 1; $i <= 24; $i++) {
        $params["configoption$i"] = (string) $product->{"configoption$i"};
    }
    foreach (Capsule::table('tblhostingconfigoptions')->where('relid', $h->id)->get() as $option) {
        $params['configoptions'][$option->optionname] = $option->value;
    }
    foreach (Capsule::table('tblcustomfields')->where('type', 'product')->where('relid', $h->packageid)->get() as $field) {
        $params['customfields'][$field->fieldname] = (string) Capsule::table('tblcustomfieldsvalues')->where('fieldid', $field->id)->where('relid', $h->id)->value('value');
    }
    return array_merge($params, standin_server_params((int) $h->server));
}

/** What WHMCS does with a core action's answer (developer docs, core module functions). */
function standin_react($function, $serviceId, $moduleName, $result)
{
    $status = array('CreateAccount' => 'Active', 'SuspendAccount' => 'Suspended', 'UnsuspendAccount' => 'Active', 'TerminateAccount' => 'Terminated');
    if (!isset($status[$function])) {
        return;
    }
    $queued = Capsule::table('tblmodulequeue')->where('service_id', $serviceId)->where('module_action', $function)->where('completed', 0)->first();
    if ($result === 'success') {
        Capsule::table('tblhosting')->where('id', $serviceId)->update(array('domainstatus' => $status[$function]));
        if ($queued) {
            Capsule::table('tblmodulequeue')->where('id', $queued->id)->update(array('completed' => 1));
        }
        return;
    }
    if ($queued) {
        Capsule::table('tblmodulequeue')->where('id', $queued->id)->update(array('last_attempt_error' => (string) $result, 'num_retries' => $queued->num_retries + 1));
    } else {
        Capsule::table('tblmodulequeue')->insertGetId(array('service_type' => 'service', 'service_id' => $serviceId, 'module_name' => $moduleName, 'module_action' => $function, 'last_attempt_error' => (string) $result));
    }
}

$command = isset($argv[1]) ? $argv[1] : '';
if ($command === 'setup') {
    standin_setup();
    echo json_encode(array('ok' => true));
} elseif ($command === 'sql') {
    $input = json_decode(stream_get_contents(STDIN), true);
    $statement = Capsule::pdo()->prepare($input['sql']);
    $statement->execute(isset($input['bindings']) ? $input['bindings'] : array());
    $rows = $statement->columnCount() > 0 ? $statement->fetchAll() : array();
    echo json_encode(array('rows' => $rows, 'count' => $statement->rowCount(), 'id' => (int) Capsule::pdo()->lastInsertId()));
} elseif ($command === 'call') {
    $dir = rtrim($argv[2], '/');
    $function = $argv[3];
    $moduleName = basename($dir);
    require $dir . '/' . $moduleName . '.php';
    $params = array();
    if (isset($argv[4]) && $argv[4] === 'service') {
        $params = standin_service_params((int) $argv[5], $moduleName);
    } elseif (isset($argv[4]) && $argv[4] === 'server') {
        $params = standin_server_params((int) $argv[5]);
    } elseif (isset($argv[4]) && $argv[4] === 'product') {
        // A Loader on the product's Module Settings page: server values and the settings shown.
        $product = Capsule::table('tblproducts')->where('id', (int) $argv[5])->first();
        $params = standin_server_params((int) $argv[6]);
        for ($i = 1; $i <= 24; $i++) {
            $params["configoption$i"] = (string) $product->{"configoption$i"};
        }
    }
    $name = $moduleName . '_' . $function;
    if (!function_exists($name)) {
        echo json_encode(array('missing' => true));
        exit(0);
    }
    Capsule::$statements = array();
    try {
        $result = in_array($function, array('MetaData', 'ConfigOptions', 'AdminCustomButtonArray'), true) ? $name() : $name($params);
        $threw = null;
    } catch (\Throwable $e) {
        $result = null;
        $threw = $e->getMessage();
    }
    $statements = Capsule::$statements;
    if ($threw === null && isset($params['serviceid'])) {
        standin_react($function, $params['serviceid'], $moduleName, $result);
    }
    $usageStatements = array_values(array_filter($statements, function ($s) {
        return stripos($s, 'UPDATE `tblhosting` SET `diskusage`') === 0;
    }));
    echo json_encode(array('result' => $result, 'threw' => $threw, 'usageStatements' => count($usageStatements)));
} else {
    fwrite(STDERR, "usage: php call.php setup|sql|call …\n");
    exit(2);
}
