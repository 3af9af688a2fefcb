package dev.tollgate.core.policy;

import dev.tollgate.core.openai.OpenAiError;

/** Whether a consumer may call a model now, and if not, the error the client gets. */
public sealed interface ModelAccess {
  record Allowed() implements ModelAccess {}

  record Denied(OpenAiError error) implements ModelAccess {}

  ModelAccess ALLOWED = new Allowed();

  /**
   * The model checks, in order: consumer and team model lists, then, when the team requires
   * subscriptions, an approved subscription for this consumer and model.
   */
  static ModelAccess decide(PolicySnapshot policy, ConsumerPolicy consumer, String model) {
    if (!consumer.mayUse(model)) {
      return new Denied(OpenAiError.modelNotAllowed(model));
    }
    if (consumer.team() == null || !consumer.team().requireSubscription()) {
      return ALLOWED;
    }
    RuntimeState.Status status = policy.subscription(consumer.name(), model).orElse(null);
    if (status == RuntimeState.Status.APPROVED) {
      return ALLOWED;
    }
    if (status == RuntimeState.Status.PENDING) {
      return new Denied(new OpenAiError(403, "Your subscription to the model '" + model
          + "' is waiting for approval.", "permission_error", "model", "subscription_pending"));
    }
    String why = status == null ? "needs an approved subscription"
        : "needs an approved subscription; yours was " + status.name().toLowerCase(java.util.Locale.ROOT);
    return new Denied(new OpenAiError(403, "Your team requires a subscription for each model: '" + model + "' "
        + why + ".", "permission_error", "model", "subscription_required"));
  }
}
