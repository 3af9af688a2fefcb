package dev.tollgate.inspect;

/**
 * One piece of user-controllable text from a request, as the inspectors see it: a message's
 * content, one text part of a content array, a tool result, or tool-call arguments.
 *
 * @param path where it sits in the request JSON, e.g. {@code messages[2].content[0].text}; used in
 *     reasons and audit records instead of the text itself
 * @param role the message role it came from ("system", "user", "assistant", "tool"), or "" for
 *     endpoints without roles (completions prompt, embeddings input)
 * @param text the text, exactly as the client sent it
 */
public record PromptText(String path, String role, String text) {}
