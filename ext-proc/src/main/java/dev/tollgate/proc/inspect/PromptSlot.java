package dev.tollgate.proc.inspect;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tollgate.inspect.PromptText;

/**
 * One text of the request and where it sits in the JSON tree, so a redacted version can be written
 * back in place: either a field of an object or an element of an array.
 */
record PromptSlot(PromptText text, ObjectNode object, String field, ArrayNode array, int index) {
  static PromptSlot field(PromptText text, ObjectNode object, String field) {
    return new PromptSlot(text, object, field, null, -1);
  }

  static PromptSlot element(PromptText text, ArrayNode array, int index) {
    return new PromptSlot(text, null, null, array, index);
  }

  /** Replaces the text in the tree; the tree is the one that goes upstream. */
  void write(String replacement) {
    if (object != null) {
      object.set(field, TextNode.valueOf(replacement));
    } else {
      array.set(index, TextNode.valueOf(replacement));
    }
  }
}
