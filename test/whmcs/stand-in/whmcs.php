<?php
/**
 * A minimal WHMCS for the bridge's tests: what a server module calls (logModuleCall,
 * WHMCS\Database\Capsule, the service model's serviceProperties, WHMCS\Service\Status) over a real
 * MariaDB database, with the tblhosting columns the contract names. Not WHMCS: only as much as
 * the generated modules touch, behaving as the developer docs describe.
 */

namespace WHMCS\Service {
    class Status
    {
        const ACTIVE = 'Active';
        const SUSPENDED = 'Suspended';
    }
}

namespace WHMCS\Database {
    /** The Capsule facade: table() builders and connection() raw statements, over PDO. */
    class Capsule
    {
        /** @var \PDO|null */
        public static $pdo = null;
        /** @var string[] every statement run, for tests that count them */
        public static $statements = array();

        public static function pdo()
        {
            if (self::$pdo === null) {
                self::$pdo = new \PDO(
                    'mysql:host=127.0.0.1;port=3306;dbname=' . getenv('WHMCS_DB') . ';charset=utf8mb4',
                    'root',
                    '',
                    array(\PDO::ATTR_ERRMODE => \PDO::ERRMODE_EXCEPTION, \PDO::ATTR_DEFAULT_FETCH_MODE => \PDO::FETCH_ASSOC)
                );
            }
            return self::$pdo;
        }

        public static function table($name)
        {
            return new Builder($name);
        }

        public static function connection()
        {
            return new Connection();
        }
    }

    class Connection
    {
        public function update($sql, array $bindings = array())
        {
            Capsule::$statements[] = $sql;
            $statement = Capsule::pdo()->prepare($sql);
            $statement->execute($bindings);
            return $statement->rowCount();
        }

        public function select($sql, array $bindings = array())
        {
            Capsule::$statements[] = $sql;
            $statement = Capsule::pdo()->prepare($sql);
            $statement->execute($bindings);
            return $statement->fetchAll();
        }
    }

    class Builder
    {
        private $table;
        private $wheres = array();
        private $bindings = array();

        public function __construct($table)
        {
            $this->table = $table;
        }

        public function where($column, $operatorOrValue, $value = null)
        {
            $operator = func_num_args() === 2 ? '=' : $operatorOrValue;
            $this->wheres[] = "`$column` $operator ?";
            $this->bindings[] = func_num_args() === 2 ? $operatorOrValue : $value;
            return $this;
        }

        private function whereSql()
        {
            return $this->wheres ? ' WHERE ' . implode(' AND ', $this->wheres) : '';
        }

        private function run($sql, array $bindings)
        {
            Capsule::$statements[] = $sql;
            $statement = Capsule::pdo()->prepare($sql);
            $statement->execute($bindings);
            return $statement;
        }

        public function get()
        {
            return array_map(function ($row) {
                return (object) $row;
            }, $this->run("SELECT * FROM `{$this->table}`" . $this->whereSql(), $this->bindings)->fetchAll());
        }

        public function first()
        {
            $rows = $this->get();
            return $rows ? $rows[0] : null;
        }

        public function value($column)
        {
            $row = $this->run("SELECT `$column` FROM `{$this->table}`" . $this->whereSql() . ' LIMIT 1', $this->bindings)->fetch();
            return $row ? $row[$column] : null;
        }

        public function update(array $values)
        {
            $sets = array();
            $bindings = array();
            foreach ($values as $column => $value) {
                $sets[] = "`$column` = ?";
                $bindings[] = $value;
            }
            return $this->run("UPDATE `{$this->table}` SET " . implode(', ', $sets) . $this->whereSql(), array_merge($bindings, $this->bindings))->rowCount();
        }

        public function insertGetId(array $values)
        {
            $columns = '`' . implode('`, `', array_keys($values)) . '`';
            $marks = implode(', ', array_fill(0, count($values), '?'));
            $this->run("INSERT INTO `{$this->table}` ($columns) VALUES ($marks)", array_values($values));
            return (int) Capsule::pdo()->lastInsertId();
        }
    }
}

namespace {
    use WHMCS\Database\Capsule;

    define('WHMCS', true);

    /** Module log as WHMCS keeps it: every value listed in replaceVars masked before it is stored. */
    function logModuleCall($module, $action, $request, $response, $processed = '', $replaceVars = array())
    {
        $text = function ($value) {
            return is_string($value) ? $value : json_encode($value);
        };
        $mask = function ($value) use ($replaceVars) {
            foreach ($replaceVars as $secret) {
                if (is_string($secret) && $secret !== '') {
                    $value = str_replace($secret, str_repeat('*', strlen($secret)), $value);
                }
            }
            return $value;
        };
        Capsule::table('tblmodulelog')->insertGetId(array(
            'module' => $module,
            'action' => $action,
            'request' => $mask($text($request)),
            'response' => $mask($text($response)),
            'arrdata' => $mask($text($processed)),
        ));
    }

    /** The service model's serviceProperties: core columns by their documented names, else custom fields. */
    class StandInServiceProperties
    {
        const COLUMNS = array(
            'Username' => 'username', 'Password' => 'password', 'Domain' => 'domain',
            'Dedicated IP' => 'dedicatedip', 'Disk Usage' => 'diskusage', 'Disk Limit' => 'disklimit',
            'Bandwidth Usage' => 'bwusage', 'Bandwidth Limit' => 'bwlimit', 'Last Update' => 'lastupdate',
        );
        private $serviceId;
        private $productId;

        public function __construct($serviceId, $productId)
        {
            $this->serviceId = $serviceId;
            $this->productId = $productId;
        }

        private function fieldId($name, $create)
        {
            $id = Capsule::table('tblcustomfields')->where('type', 'product')->where('relid', $this->productId)->where('fieldname', $name)->value('id');
            if ($id === null && $create) {
                $id = Capsule::table('tblcustomfields')->insertGetId(array('type' => 'product', 'relid' => $this->productId, 'fieldname' => $name));
            }
            return $id;
        }

        public function get($name)
        {
            if (isset(self::COLUMNS[$name])) {
                return Capsule::table('tblhosting')->where('id', $this->serviceId)->value(self::COLUMNS[$name]);
            }
            $field = $this->fieldId($name, false);
            return $field === null ? '' : (string) Capsule::table('tblcustomfieldsvalues')->where('fieldid', $field)->where('relid', $this->serviceId)->value('value');
        }

        public function save(array $values)
        {
            foreach ($values as $name => $value) {
                if (isset(self::COLUMNS[$name])) {
                    Capsule::table('tblhosting')->where('id', $this->serviceId)->update(array(self::COLUMNS[$name] => $value));
                    continue;
                }
                $field = $this->fieldId($name, true);
                $exists = Capsule::table('tblcustomfieldsvalues')->where('fieldid', $field)->where('relid', $this->serviceId)->first();
                if ($exists) {
                    Capsule::table('tblcustomfieldsvalues')->where('fieldid', $field)->where('relid', $this->serviceId)->update(array('value' => $value));
                } else {
                    Capsule::table('tblcustomfieldsvalues')->insertGetId(array('fieldid' => $field, 'relid' => $this->serviceId, 'value' => $value));
                }
            }
        }
    }

    class StandInServiceModel
    {
        public $serviceProperties;

        public function __construct($serviceId, $productId)
        {
            $this->serviceProperties = new StandInServiceProperties($serviceId, $productId);
        }
    }
}
