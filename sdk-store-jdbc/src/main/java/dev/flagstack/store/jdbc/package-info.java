/**
 * A read-only flag store over PostgreSQL through JDBC: {@link dev.flagstack.store.jdbc.JdbcFlagStore},
 * usable as the primary or the secondary store. Parameters and return values are non-null unless a method
 * says otherwise.
 */
package dev.flagstack.store.jdbc;
