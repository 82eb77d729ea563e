package dev.flagstack.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.flagstack.testservers.PostgresServerExtension;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A service's own HikariCP pool on the real server, seen through a thin recorder: which threads borrow
 * connections, how many, and the SQL of every statement prepared. Optionally holds each borrower at a
 * gate, to fill the store's threads deterministically.
 */
final class CountingDataSource implements AutoCloseable {
  private final HikariDataSource pool;
  private final DataSource view;
  private final AtomicInteger connections = new AtomicInteger();
  private final List<String> statements = new CopyOnWriteArrayList<>();
  private final List<String> threads = new CopyOnWriteArrayList<>();
  private volatile CountDownLatch gate;
  private volatile CountDownLatch entered = new CountDownLatch(1);

  private CountingDataSource(HikariDataSource pool) {
    this.pool = pool;
    this.view = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
        (proxy, method, args) -> {
          if (method.getName().equals("getConnection")) {
            connections.incrementAndGet();
            threads.add(Thread.currentThread().getName());
            entered.countDown();
            CountDownLatch g = gate;
            if (g != null) {
              g.await(30, TimeUnit.SECONDS);
            }
            return recording((Connection) invoke(method, pool, args));
          }
          return invoke(method, pool, args);
        });
  }

  /** A pool of the service's {@code user}, of {@code size} connections, waiting at most 250 ms for one. */
  static CountingDataSource over(PostgresServerExtension pg, String user, String password, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(pg.jdbcUrl());
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(size);
    config.setConnectionTimeout(250);
    config.setPoolName("service-pool");
    return new CountingDataSource(new HikariDataSource(config));
  }

  static CountingDataSource over(PostgresServerExtension pg, String user, String password) {
    return over(pg, user, password, 4);
  }

  DataSource dataSource() {
    return view;
  }

  HikariDataSource pool() {
    return pool;
  }

  /** Holds every later borrower until {@link #open()}. */
  void closeGate() {
    gate = new CountDownLatch(1);
  }

  void open() {
    gate.countDown();
  }

  /** Waits until some thread asked for a connection. */
  boolean awaitEntered() throws InterruptedException {
    return entered.await(10, TimeUnit.SECONDS);
  }

  /** Forgets what was recorded so far. */
  void reset() {
    connections.set(0);
    entered = new CountDownLatch(1);
    statements.clear();
    threads.clear();
  }

  int connections() {
    return connections.get();
  }

  List<String> statements() {
    return statements;
  }

  List<String> threads() {
    return threads;
  }

  private Connection recording(Connection real) {
    InvocationHandler handler = (proxy, method, args) -> {
      String name = method.getName();
      if ((name.equals("prepareStatement") || name.equals("createStatement") || name.equals("prepareCall"))) {
        statements.add(args != null && args.length > 0 && args[0] instanceof String ? (String) args[0] : name);
      }
      return invoke(method, real, args);
    };
    return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, handler);
  }

  private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
