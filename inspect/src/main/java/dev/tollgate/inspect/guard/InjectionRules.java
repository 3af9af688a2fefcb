package dev.tollgate.inspect.guard;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Hand-written rules for the phrasing injections and jailbreaks share, by family. They read
 * {@link NormalizedText#text()} (lower case, single spaces, look-alikes folded). Each rule has a
 * weight: the probability-like evidence it gives on its own. A single trigger word ("ignore",
 * "pretend", "system") never fires a rule; rules need the phrase around it, because harmless
 * questions use those words all the time (the NotInject sets are made of such questions).
 */
final class InjectionRules {
  static final String INSTRUCTION_OVERRIDE = "instruction_override";
  static final String PERSONA_JAILBREAK = "persona_jailbreak";
  static final String SYSTEM_PROMPT_EXTRACTION = "system_prompt_extraction";

  /**
   * @param triggers literal pieces of which the text must contain at least one for the rule to be
   *     tried (found for all rules in one pass by {@link TriggerScan}), so a prompt without them
   *     never runs the rule's regex
   */
  record Rule(String family, double weight, List<String> triggers, Pattern pattern) {}

  /** Up to n words between two parts of a phrase. */
  private static String gap(int n) {
    return "(?:[^ ]+ ){0," + n + "}";
  }

  private static final String OVERRIDE_VERB =
      "(?:ignore|ignoring|disregard|disregarding|forget|forgetting|override|overriding|bypass|"
          + "neglect|abandon|discard|drop|skip|set aside|throw out|pay no attention to|stop following)";
  private static final String EARLIER =
      "(?:previous|previously|prior|above|preceding|earlier|former|original|initial|old|"
          + "aforementioned|foregoing|system|developer|openai|default|existing|all (?:of )?(?:the|your|my|these|those)|all|any|every|your)";
  private static final String DIRECTIVE_NOUN =
      "(?:instructions?|prompts?|rules|directives?|directions|guidelines|commands|orders|"
          + "context|constraints|restrictions|programming|policies|polic(?:y|ies)|conversation|"
          + "messages|text|guardrails|safeguards|filters|training|tasks?)";

  static final List<Rule> RULES = build();
  /** Which rules may match a text at all; see {@link TriggerScan}. */
  static final TriggerScan TRIGGERS = TriggerScan.of(RULES.stream().map(Rule::triggers).toList());

  private InjectionRules() {}

  private static List<Rule> build() {
    List<Rule> rules = new ArrayList<>();
    // Instruction override: "ignore all previous instructions" and its many spellings.
    add(rules, INSTRUCTION_OVERRIDE, 0.85, "ignor|disregard|forget|overrid|bypass|neglect|abandon|discard|drop|skip|set aside|throw out|pay no attention|stop following",
        "\\b" + OVERRIDE_VERB + " " + gap(2) + EARLIER + " " + gap(2) + DIRECTIVE_NOUN + "\\b");
    add(rules, INSTRUCTION_OVERRIDE, 0.55, "ignore|disregard|forget",
        "\\b(?:ignore|disregard|forget) (?:everything|all)(?: (?:that|you|i|we) [^ ]+){0,2} "
            + "(?:before|above|so far|earlier|previously|you (?:were|have been) told)\\b");
    add(rules, INSTRUCTION_OVERRIDE, 0.5, "follow|obey|adhere|abide|comply",
        "\\b(?:do not|don't|dont|never|no longer|stop) (?:follow|obey|adhere to|abide by|comply with)"
            + " " + gap(2) + "(?:your|the|any|openai'?s?|previous|these) " + gap(1) + DIRECTIVE_NOUN);
    add(rules, INSTRUCTION_OVERRIDE, 0.45, "instruction|task|system prompt|directive|rule",
        "\\b(?:new|updated|real|actual|true|secret|hidden|override) (?:instructions?|task|system prompt|directive|rules?) ?(?::|follow|are)");
    add(rules, INSTRUCTION_OVERRIDE, 0.35, "instead|now you|now, you|now do|now follow|now your|now, do|now, follow|now, your",
        "\\b(?:instead|now),? (?:you (?:must|will|should)|do the following|follow these|your (?:new )?task is)\\b");
    add(rules, INSTRUCTION_OVERRIDE, 0.4, "above|previous",
        "\\b(?:the above|previous) (?:instructions?|prompt|text) (?:(?:is|are|was|were) (?:wrong|void|cancel+ed|fake|obsolete|outdated|not valid|invalid|a test))");
    add(rules, INSTRUCTION_OVERRIDE, 0.35, "end of",
        "\\bend of (?:the )?(?:system prompt|instructions|document|context)\\b");
    add(rules, INSTRUCTION_OVERRIDE, 0.35, "system|inst|admin|im_start",
        "(?:^| )(?:\\[|<\\|?|###? ?)(?:system|instruction|inst|admin|im_start)(?:\\]|\\|?>| ?:)");

    // Persona / role-play jailbreaks: DAN and its relatives, developer mode, unfiltered alter egos.
    add(rules, PERSONA_JAILBREAK, 0.85, "do anything now", "\\bdo anything now\\b");
    add(rules, PERSONA_JAILBREAK, 0.75, " mode",
        "\\b(?:developer|dev|god|jailbreak|jailbroken|unrestricted|unfiltered|evil|chaos|opposite) mode\\b");
    add(rules, PERSONA_JAILBREAK, 0.55, "jailbr", "\\bjailbr(?:eak|oken|eaking)\\b");
    add(rules, PERSONA_JAILBREAK, 0.7, "ethic|moral|content|safety|openai|censorship",
        "\\b(?:no|without|free (?:of|from)|not bound by|free of any|doesn't have|does not have|don't have|do not have|has no|have no|ignores?|bypass(?:es)?) "
            + gap(2) + "(?:ethical|moral|ethics|morals|content|safety|openai|censorship) " + gap(1)
            + "(?:guidelines|restrictions|filters?|boundaries|constraints|policies|policy|limits|limitations|rules|principles|concerns|standards|or)\\b");
    add(rules, PERSONA_JAILBREAK, 0.65, "confines|restrictions|limitations|shackles|chains",
        "\\b(?:broken free|break free|freed|been freed|free from) (?:of |from )?(?:the )?(?:typical |usual )?(?:confines|restrictions|limitations|shackles|chains)\\b");
    add(rules, PERSONA_JAILBREAK, 0.5, "in character", "\\b(?:stay|stays|staying|remain) in character\\b");
    add(rules, PERSONA_JAILBREAK, 0.45, "unfiltered|uncensored|amoral|unethical|unrestricted|immoral|evil|rogue|unbound|unhinged|limitless",
        "\\b(?:you are|you're|act as|pretend to be|you will be|roleplay as|role-play as|play the role of|simulate) "
            + gap(3) + "(?:an? )?(?:unfiltered|uncensored|amoral|unethical|unrestricted|immoral|evil|rogue|unbound|unhinged|limitless)\\b");
    add(rules, PERSONA_JAILBREAK, 0.45, "refuse|decline|say no|reject",
        "\\b(?:never|not|cannot|can't|won't|will not|must not|mustn't) (?:refuse|decline|say no|reject)\\b");
    add(rules, PERSONA_JAILBREAK, 0.35, "do anything",
        "\\b(?:can|will|able to) do anything\\b");
    add(rules, PERSONA_JAILBREAK, 0.35, "dan|dude|stan|aim|mongo tom|evilbot", "\\b(?:dan|dude|stan|aim|anti-dan|mongo tom|betterdan|evilbot)(?::|,)? ");
    add(rules, PERSONA_JAILBREAK, 0.45, "as an ai|as a language model|your programming|your training",
        "\\b(?:as an ai|as a language model|your programming|your training) " + gap(4)
            + "(?:does not|doesn't|no longer|won't) (?:apply|matter|restrict|limit|bind)\\b");
    add(rules, PERSONA_JAILBREAK, 0.5, "responses|answers|paragraphs|ways",
        "\\b(?:two|2|both) (?:different |separate )?(?:responses|answers|paragraphs|ways)\\b" + gap(12)
            + "(?:normal|classic|filtered|censored|jailbr|developer|unfiltered|dan|chatgpt)");
    add(rules, PERSONA_JAILBREAK, 0.45, "token", "\\btokens? (?:will be )?(?:deducted|lost|taken away)\\b");
    add(rules, PERSONA_JAILBREAK, 0.3, "pretend|imagine|act as if|from now on",
        "\\b(?:pretend|imagine|act as if|from now on) (?:that )?you (?:are|have|can|were)\\b");
    add(rules, PERSONA_JAILBREAK, 0.3, "hypothetical",
        "\\bhypothetical (?:response|scenario|story)\\b.{0,80}\\b(?:step by step|detailed|explicit)\\b");

    // System-prompt extraction: asking for the hidden instructions or "the text above".
    add(rules, SYSTEM_PROMPT_EXTRACTION, 0.8, "system prompt|system message|system instruction|initial prompt|initial instruction|hidden prompt|hidden instruction|original prompt|original instruction|secret|preprompt|pre-prompt|developer prompt|developer message|developer instruction|instructions you|instructions above|instructions given|prompt above|text above|instructions above",
        "\\b(?:reveal|show|print|repeat|output|display|tell me|give me|share|leak|dump|disclose|spell out|recite|list|write out|copy|paste|provide|what (?:is|are|were|was))"
            + " " + gap(2) + "(?:your|the|my|its|this|all) " + gap(1)
            + "(?:system (?:prompt|message|instructions?)|initial (?:prompt|instructions?)|hidden (?:prompt|instructions?)|original (?:prompt|instructions?)|secret (?:prompt|instructions?|password|key)|pre-?prompt|developer (?:prompt|message|instructions?)|instructions (?:you were given|above|given to you)|(?:prompt|instructions|text) above)\\b");
    add(rules, SYSTEM_PROMPT_EXTRACTION, 0.7, "above|before this|preceding|prior",
        "\\b(?:repeat|print|output|copy|echo) " + gap(3) + "(?:words|text|everything|all|lines?|content) (?:above|before this|preceding|prior)\\b");
    add(rules, SYSTEM_PROMPT_EXTRACTION, 0.55, "you are",
        "\\b(?:start|begin|starting|beginning) (?:your (?:answer|response|reply) )?with ['\"]?you are (?:a|an|chatgpt)\\b");
    add(rules, SYSTEM_PROMPT_EXTRACTION, 0.45, "what were|what are",
        "\\bwhat (?:were|are) (?:you|your) (?:told|instructed|programmed|instructions)\\b");
    add(rules, SYSTEM_PROMPT_EXTRACTION, 0.3, "system prompt|preprompt|pre-prompt|system instructions", "\\b(?:system prompt|pre-?prompt|system instructions)\\b");
    return List.copyOf(rules);
  }

  private static void add(List<Rule> rules, String family, double weight, String triggers, String regex) {
    rules.add(new Rule(family, weight, List.of(triggers.split("\\|")), Pattern.compile(regex)));
  }
}
