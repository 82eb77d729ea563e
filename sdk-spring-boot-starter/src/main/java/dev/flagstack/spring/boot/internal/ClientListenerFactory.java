package dev.flagstack.spring.boot.internal;

import dev.flagstack.ConfiguredFlagClient;
import dev.flagstack.FlagEventListener;

/**
 * Makes an event listener that needs the configured layers (a metrics binding needs the cache tiers'
 * names), for the auto-configured client. The auto-configuration installs a {@link DeferredListener} when
 * it builds the client and points it at the listener made here right after, before any read.
 */
@FunctionalInterface
public interface ClientListenerFactory {
  /** The listener for {@code configured}; its client is built but has not been read from yet. */
  FlagEventListener create(ConfiguredFlagClient configured);
}
