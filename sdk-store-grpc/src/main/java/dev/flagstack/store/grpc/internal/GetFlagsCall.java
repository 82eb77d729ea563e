package dev.flagstack.store.grpc.internal;

import dev.flagstack.FlagValue;
import dev.flagstack.store.grpc.v1.GetFlagsRequest;
import dev.flagstack.store.grpc.v1.GetFlagsResponse;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One {@code GetFlags} call: completes its future from gRPC's callbacks, never on the caller's thread,
 * and cancels the call if the future is cancelled first. The value is read only once the call closed
 * with OK, so a reply followed by an error status is an error.
 */
public final class GetFlagsCall implements ClientResponseObserver<GetFlagsRequest, GetFlagsResponse> {
  private final Set<String> requested;
  private final CompletableFuture<Map<String, FlagValue>> result;
  private final CallOutcomes outcomes;
  private volatile ClientCallStreamObserver<GetFlagsRequest> call;
  private GetFlagsResponse response;

  public GetFlagsCall(Set<String> requested, CompletableFuture<Map<String, FlagValue>> result, CallOutcomes outcomes) {
    this.requested = requested;
    this.result = result;
    this.outcomes = outcomes;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<GetFlagsRequest> requestStream) {
    this.call = requestStream;
  }

  /** Cancels the call if it is still running; for a caller that gave up on it. */
  public void cancel() {
    ClientCallStreamObserver<GetFlagsRequest> c = call;
    if (c != null) {
      c.cancel("the caller abandoned the read", null);
    }
  }

  @Override
  public void onNext(GetFlagsResponse value) {
    response = value;
  }

  @Override
  public void onError(Throwable t) {
    try {
      result.completeExceptionally(outcomes.failed(Status.fromThrowable(t)));
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  @Override
  public void onCompleted() {
    try {
      if (response == null) {
        result.completeExceptionally(outcomes.malformed("the call ended without a reply"));
        return;
      }
      Map<String, FlagValue> values = ReplyReader.read(requested, response);
      outcomes.succeeded();
      result.complete(values);
    } catch (ReplyReader.MalformedReplyException e) {
      result.completeExceptionally(outcomes.malformed(e.getMessage()));
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }
}
