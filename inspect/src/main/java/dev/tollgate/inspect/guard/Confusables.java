package dev.tollgate.inspect.guard;

/**
 * Letters from other scripts that look like Latin ones (after NFKC, which already folds full-width
 * and mathematical letters). A subset of Unicode's confusables.txt: the Cyrillic, Greek and a few
 * other letters that attackers use to spell "ignore" so a plain match misses it.
 */
final class Confusables {
  private static final char[] MAP = new char[0xA800];

  static {
    // Cyrillic lower / upper case
    map("аa еe оo рp сc уy хx іi јj ѕs ԁd ɡg һh ӏl ԛq ԝw ьb ӧo ёe їi", true);
    map("АA ВB ЕE КK МM НH ОO РP СC ТT УY ХX ІI ЈJ ЅS ԚQ ԜW", true);
    // Greek lower / upper case
    map("αa οo ρp νv ιi κk τt υu χx ϲc ϳj", true);
    map("ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX", true);
    // Latin-extended and IPA look-alikes NFKC leaves alone
    map("ıi ȷj ɑa ɩi ɪi ʏy ᴀa ʙb ᴄc ᴅd ᴇe ɢg ʜh ᴊj ᴋk ʟl ᴍm ɴn ᴏo ᴘp ʀr ꜱs ᴛt ᴜu ᴠv ᴡw ᴢz", true);
  }

  private Confusables() {}

  private static void map(String pairs, boolean lower) {
    for (String pair : pairs.split(" ")) {
      char latin = pair.charAt(1);
      MAP[pair.charAt(0)] = lower ? Character.toLowerCase(latin) : latin;
    }
  }

  /** The Latin letter (lower case) {@code c} imitates, or 0 when it imitates none. */
  static char toLatin(char c) {
    return c < MAP.length ? MAP[c] : 0;
  }
}
