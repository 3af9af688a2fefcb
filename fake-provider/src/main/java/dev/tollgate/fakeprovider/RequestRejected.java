package dev.tollgate.fakeprovider;

/** Thrown by an endpoint when the request is invalid; carries the 4xx to answer. */
final class RequestRejected extends Exception {

  private final transient ApiError error;

  RequestRejected(ApiError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  ApiError error() {
    return error;
  }
}
