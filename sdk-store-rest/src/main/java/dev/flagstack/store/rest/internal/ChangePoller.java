package dev.flagstack.store.rest.internal;

import dev.flagstack.spi.FlagChangeListener;
import dev.flagstack.spi.StoreException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the OFREP bulk endpoint for one probe context with {@code If-None-Match} and tells the watchers
 * what changed. One poll loop per store however many watch: it runs on a daemon thread of its own, started
 * by the first watch and stopped when the last one closes. Each poll is a synchronous call on that thread,
 * bounded by the call timeout, so polls never take a slot of the reads' dispatcher and never touch the
 * client's breaker. An interval of zero means no polling: watches are inert.
 */
public final class ChangePoller {
  private static final Logger log = LoggerFactory.getLogger("dev.flagstack.store.rest.RestFlagStore");
  private static final MediaType JSON = MediaType.get("application/json");

  private final String name;
  private final String prefix;
  private final OkHttpClient http;
  private final HttpUrl url;
  private final Headers headers;
  private final byte[] body;
  private final ReplyReader reader;
  private final RateLimitGate gate;
  private final Duration interval;
  private final List<Watch> watches = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  private Loop loop; // guarded by lock
  private boolean closed; // guarded by lock

  public ChangePoller(String name, OkHttpClient http, HttpUrl url, Headers headers, byte[] body,
      ReplyReader reader, RateLimitGate gate, Duration interval) {
    this.name = name;
    this.prefix = "rest store '" + name + "' ";
    this.http = http;
    this.url = url;
    this.headers = headers.newBuilder().set("Accept", "application/json").build();
    this.body = body.clone();
    this.reader = reader;
    this.gate = gate;
    this.interval = interval;
  }

  /** Starts delivering notices to {@code listener}; the first watch starts the poll loop. */
  public AutoCloseable watch(FlagChangeListener listener) {
    Objects.requireNonNull(listener, "listener");
    synchronized (lock) {
      if (closed || interval.isZero()) {
        log.debug("{}{}: watchChanges delivers nothing", prefix, closed ? "is closed"
            : "does not poll for changes (changePollInterval is zero)");
        return () -> { };
      }
      Watch watch = new Watch(listener);
      watches.add(watch);
      if (loop == null) {
        loop = new Loop();
        log.debug("{}polls for flag changes every {} ms", prefix, interval.toMillis());
      }
      return watch;
    }
  }

  /** Stops every watch and the poll loop; later watches deliver nothing. Idempotent. */
  public void close() {
    synchronized (lock) {
      closed = true;
      for (Watch watch : watches) {
        watch.closed = true;
      }
      watches.clear();
      stopLoop();
    }
  }

  private void stopLoop() {
    if (loop != null) {
      loop.stop();
      loop = null;
    }
  }

  private void notifyWatchers(Consumer<FlagChangeListener> notice) {
    for (Watch watch : watches) {
      watch.deliver(notice);
    }
  }

  /** A handle; closing the last one stops the loop. */
  private final class Watch implements AutoCloseable {
    private final FlagChangeListener listener;
    private final AtomicBoolean complained = new AtomicBoolean();
    private volatile boolean closed;

    Watch(FlagChangeListener listener) {
      this.listener = listener;
    }

    void deliver(Consumer<FlagChangeListener> notice) {
      if (closed) {
        return;
      }
      try {
        notice.accept(listener);
      } catch (Throwable t) {
        // A listener must not throw; if it does, polling goes on and later notices still reach it.
        if (complained.compareAndSet(false, true)) {
          log.warn("{}change listener {} threw {} (logged once; polling goes on)", prefix,
              listener.getClass().getName(), t.getClass().getName());
        } else {
          log.debug("{}change listener threw {}", prefix, t.getClass().getName());
        }
      }
    }

    @Override
    public void close() {
      synchronized (lock) {
        if (closed) {
          return;
        }
        closed = true;
        watches.remove(this);
        if (watches.isEmpty()) {
          stopLoop();
        }
      }
    }
  }

  /** One run of polling, from the first watch to the last close. State is touched by its thread only. */
  private final class Loop implements Runnable {
    private final ScheduledExecutorService scheduler;
    private volatile boolean stopped;
    private volatile Call inFlight;
    private String etag;
    private Map<String, Evaluation> baseline;
    /** A poll failed since the last success: changes may have been missed. */
    private boolean gap;
    private int failures;
    private Instant skippedUntil;

    Loop() {
      scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "flagstack-rest-" + name + "-changes");
        t.setDaemon(true);
        return t;
      });
      scheduler.scheduleWithFixedDelay(this, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    void stop() {
      stopped = true;
      Call call = inFlight;
      if (call != null) {
        call.cancel();
      }
      scheduler.shutdownNow();
    }

    @Override
    public void run() {
      // Anything thrown out of a periodic task would silently end it.
      try {
        pollOnce();
      } catch (Throwable t) {
        failed(prefix + "change poll failed: " + t.getClass().getName());
      }
    }

    private void pollOnce() {
      if (stopped) {
        return;
      }
      Instant until = gate.closedUntil();
      if (until != null) {
        // Not a failure: the next poll compares with the same baseline, so nothing is missed.
        if (!until.equals(skippedUntil)) {
          skippedUntil = until;
          log.debug("{}skips change polls until {} (HTTP 429 Retry-After)", prefix, until);
        }
        return;
      }
      Request.Builder request = new Request.Builder().url(url).headers(headers).post(RequestBody.create(body, JSON));
      boolean conditional = etag != null;
      if (conditional) {
        request.header("If-None-Match", etag);
      }
      Call call = http.newCall(request.build());
      inFlight = call;
      PollReply reply;
      try {
        if (stopped) {
          return;
        }
        try (Response response = call.execute()) {
          try {
            reply = reader.poll(response, conditional);
          } catch (BadReplyException e) {
            failed(prefix + "sent a malformed reply to the change poll (HTTP " + response.code() + "): "
                + e.getMessage());
            return;
          }
        }
      } catch (StoreException e) {
        failed(e.getMessage());
        return;
      } catch (IOException e) {
        if (!stopped) {
          failed(prefix + "change poll failed: " + Texts.describe(e));
        }
        return;
      } finally {
        inFlight = null;
      }
      if (!stopped) {
        succeeded(reply);
      }
    }

    private void failed(String message) {
      if (stopped) {
        return;
      }
      gap = true;
      if (failures++ == 0) {
        log.warn("{}; change notices resume with the next successful poll, which reports every flag as "
            + "changed (further poll failures are logged at DEBUG)", message);
      } else {
        log.debug("{} ({} failed polls in a row)", message, failures);
      }
    }

    private void succeeded(PollReply reply) {
      if (failures > 0) {
        log.info("{}change polling recovered after {} failed polls: every flag is reported as changed", prefix,
            failures);
        failures = 0;
      }
      Map<String, Evaluation> previous = baseline;
      String previousEtag = etag;
      if (!reply.notModified()) {
        baseline = reply.flags;
        etag = reply.etag;
      }
      if (gap) {
        gap = false;
        notifyWatchers(FlagChangeListener::everythingChanged);
        return;
      }
      if (reply.notModified() || previous == null) {
        return; // nothing changed, or this is the first baseline
      }
      Set<String> changed = FlagSetDiff.changed(previous, baseline);
      if (!changed.isEmpty()) {
        log.debug("{}flags changed: {}", prefix, changed.size() <= 20 ? changed : changed.size() + " flags");
        Set<String> notice = Set.copyOf(changed);
        notifyWatchers(l -> l.flagsChanged(notice));
      } else if (!Objects.equals(previousEtag, etag)) {
        // The answer for the probe is the same, but the server says something changed: it may be a rule
        // that only other entities see. One context's answer cannot prove the others unchanged.
        log.debug("{}ETag changed without a per-flag difference: every flag is reported as changed", prefix);
        notifyWatchers(FlagChangeListener::everythingChanged);
      }
    }
  }
}
