package dev.flagstack.store.jdbc.internal;

import dev.flagstack.FlagDefinition;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import org.postgresql.jdbc.PgStatement;

/**
 * The one query of a batch, {@code SELECT ... WHERE flag_key = ANY(?)} with the ids bound as one
 * {@code text[]} parameter, and its time limits. Ids are only ever bound, never written into the SQL; the
 * table name is a validated identifier, quoted.
 */
public final class DefinitionQuery {
  private static final Executor DIRECT = Runnable::run;

  private final String sql;
  private final long queryTimeoutMs;
  private final int readTimeoutMs;

  /**
   * A query of {@code table} (a validated {@code name} or {@code schema.name}).
   *
   * @param queryTimeout after which the server is asked to cancel the statement
   * @param readTimeout the socket read deadline of the borrowed connection while the query runs
   */
  public DefinitionQuery(String table, Duration queryTimeout, Duration readTimeout) {
    this.sql = "SELECT flag_key::text, value_type::text, default_value::text, overrides::text, "
        + "rollout_basis_points::text, rollout_value::text FROM " + quoteTable(table)
        + " WHERE flag_key = ANY(?::text[])";
    this.queryTimeoutMs = queryTimeout.toMillis();
    this.readTimeoutMs = (int) readTimeout.toMillis();
  }

  /** {@code name} or {@code schema.name} with each part double-quoted; the parts are validated identifiers. */
  public static String quoteTable(String table) {
    StringBuilder out = new StringBuilder();
    for (String part : table.split("\\.", -1)) {
      if (out.length() > 0) {
        out.append('.');
      }
      out.append('"').append(part).append('"');
    }
    return out.toString();
  }

  /** The SQL text, for tests and logs: it never contains an id. */
  public String sql() {
    return sql;
  }

  /**
   * The definitions among {@code ids} found in the table, read on {@code connection}. The connection's
   * network timeout is set for the call and restored after it; a connection not in auto-commit mode has
   * its read-only transaction rolled back, so it goes back to its pool as it came.
   *
   * @throws InvalidDefinitionException for the bad row with the smallest key, if any row is bad
   */
  public Map<String, FlagDefinition> run(Connection connection, List<String> ids)
      throws SQLException, InvalidDefinitionException {
    int previousTimeout = connection.getNetworkTimeout();
    connection.setNetworkTimeout(DIRECT, readTimeoutMs);
    boolean autoCommit = connection.getAutoCommit();
    try {
      return select(connection, ids);
    } finally {
      if (!autoCommit) {
        quietly(connection::rollback);
      }
      quietly(() -> connection.setNetworkTimeout(DIRECT, previousTimeout));
    }
  }

  private Map<String, FlagDefinition> select(Connection connection, List<String> ids)
      throws SQLException, InvalidDefinitionException {
    Set<String> requested = new HashSet<>(ids);
    Map<String, FlagDefinition> found = new HashMap<>(ids.size() * 2);
    Set<String> seen = new HashSet<>();
    InvalidDefinitionException firstBad = null;
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      applyQueryTimeout(ps);
      // With a primary key there are at most ids.size() rows; one more proves a duplicate key.
      ps.setMaxRows(ids.size() + 1);
      Array array = connection.createArrayOf("text", ids.toArray());
      try {
        ps.setArray(1, array);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String key = rs.getString(1);
            if (key == null || !requested.contains(key)) {
              continue;
            }
            try {
              if (!seen.add(key)) {
                throw new InvalidDefinitionException(key, "flag_key has more than one row");
              }
              found.put(key, FlagRows.parse(key, rs.getString(2), rs.getString(3), rs.getString(4),
                  rs.getString(5), rs.getString(6)));
            } catch (InvalidDefinitionException e) {
              if (firstBad == null || e.flag().compareTo(firstBad.flag()) < 0) {
                firstBad = e;
              }
            }
          }
        }
      } finally {
        array.free();
      }
    }
    if (firstBad != null) {
      throw firstBad;
    }
    return found;
  }

  private void applyQueryTimeout(PreparedStatement ps) throws SQLException {
    if (ps.isWrapperFor(PgStatement.class)) {
      ps.unwrap(PgStatement.class).setQueryTimeoutMs(queryTimeoutMs);
    } else {
      // JDBC's own setting counts whole seconds.
      ps.setQueryTimeout((int) Math.max(1, (queryTimeoutMs + 999) / 1000));
    }
  }

  private interface SqlAction {
    void run() throws SQLException;
  }

  private static void quietly(SqlAction action) {
    try {
      action.run();
    } catch (SQLException e) {
      // The connection is broken; the pool will discard it.
    }
  }
}
