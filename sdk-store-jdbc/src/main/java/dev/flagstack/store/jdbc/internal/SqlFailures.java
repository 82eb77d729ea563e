package dev.flagstack.store.jdbc.internal;

import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Decides what a JDBC failure means for the store, from its SQLSTATE (the first one found along the
 * cause and next-exception chains, so a pool's timeout that carries the last connection error's state is
 * read by that state).
 */
public final class SqlFailures {
  /** What a failure means. */
  public enum Kind {
    /** May pass: connection trouble, timeouts, serialization failures, a server shutting down. */
    TRANSIENT,
    /** The server refused the credentials (class 28). */
    CREDENTIALS,
    /** The table, a column, the schema or the database is missing, or the role may not read it. */
    CONFIGURATION,
    /** The request itself cannot be served, such as an id the database encoding cannot hold (class 22). */
    BAD_REQUEST
  }

  private SqlFailures() {}

  /** The kind for a SQLSTATE; null (no state) is transient. */
  public static Kind classifyState(String state) {
    if (state == null || state.length() != 5) {
      return Kind.TRANSIENT;
    }
    switch (state.substring(0, 2)) {
      case "28": // invalid_authorization_specification, invalid_password
        return Kind.CREDENTIALS;
      case "42": // syntax_error_or_access_rule_violation: 42P01 undefined_table, 42501, 42703 ...
      case "3D": // invalid_catalog_name: no such database
      case "3F": // invalid_schema_name
      case "0A": // feature_not_supported: not PostgreSQL, or an unusable column type
        return Kind.CONFIGURATION;
      case "22": // data_exception: untranslatable character, NUL in text
        return Kind.BAD_REQUEST;
      default:
        // 08 connection, 40 rollback (40001 serialization, 40P01 deadlock), 53 resources, 57 operator
        // intervention (57014 cancelled by the query timeout, 57P01 shutdown), 58 system, 55 lock, XX ...
        return Kind.TRANSIENT;
    }
  }

  /** The first SQLSTATE along {@code error}'s cause and next-exception chains, or null. */
  public static String sqlState(Throwable error) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    return find(error, seen);
  }

  /**
   * The exception that first carried {@code error}'s SQLSTATE: the deepest one along the cause and
   * next-exception chains with that state (a pool's timeout copies the state of the connection error
   * behind it). {@code error} itself when it has no state or is the origin.
   */
  public static Throwable origin(Throwable error) {
    String state = sqlState(error);
    if (state == null) {
      return error;
    }
    Throwable deepest = error;
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    java.util.ArrayDeque<Throwable> todo = new java.util.ArrayDeque<>();
    todo.add(error);
    while (!todo.isEmpty()) {
      Throwable t = todo.poll();
      if (t == null || !seen.add(t)) {
        continue;
      }
      if (t instanceof SQLException && state.equals(((SQLException) t).getSQLState())) {
        deepest = t;
      }
      if (t.getCause() != null) {
        todo.add(t.getCause());
      }
      if (t instanceof SQLException && ((SQLException) t).getNextException() != null) {
        todo.add(((SQLException) t).getNextException());
      }
    }
    return deepest;
  }

  private static String find(Throwable t, Set<Throwable> seen) {
    for (Throwable e = t; e != null && seen.add(e); e = e.getCause()) {
      if (e instanceof SQLException) {
        SQLException sql = (SQLException) e;
        if (sql.getSQLState() != null) {
          return sql.getSQLState();
        }
        SQLException next = sql.getNextException();
        if (next != null) {
          String state = find(next, seen);
          if (state != null) {
            return state;
          }
        }
      }
    }
    return null;
  }
}
