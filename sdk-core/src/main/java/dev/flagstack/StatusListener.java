package dev.flagstack;

/**
 * Hears each change of a layer's state, registered with {@link FlagClient#addStatusListener}.
 *
 * <p><b>A change</b> is a new value of a layer's {@link LayerStatus#breakerState() breaker state} (every
 * transition), of {@link LayerStatus#connected() connected}, or of {@link LayerStatus#available()
 * available}. For a layer without a breaker (the secondary), available follows {@link LayerStatus#failing()
 * failing}: its first transient failure after an answer is a change, and so is its first answer after a
 * failure. For a layer with a breaker, a failure that does not move the breaker is not a change (its
 * breaker counts them), nor is a new {@link LayerStatus#lastFailure()} on its own.
 *
 * <p><b>Contract</b>: called synchronously on the thread that saw the change (a read's continuation, the
 * thread that called {@link FlagClient#status()}, or a layer's own connection thread), one change at a
 * time and in order, with the client's status lock held; so it must be fast and must not block. It may
 * call {@link FlagClient#status()}. A thrown exception is caught and logged. Never called on the read hot
 * path: a read that changes nothing allocates nothing for status. A listener added later hears only later
 * changes; call {@link FlagClient#status()} for the state so far.
 */
@FunctionalInterface
public interface StatusListener {
  /**
   * A layer's state changed from {@code before} to {@code after}; {@code status} is the whole client's
   * state just after the change.
   */
  void statusChanged(LayerStatus before, LayerStatus after, ClientStatus status);
}
