package dbbootstrap

import _ "github.com/go-sql-driver/mysql" // the "mysql" database/sql driver
