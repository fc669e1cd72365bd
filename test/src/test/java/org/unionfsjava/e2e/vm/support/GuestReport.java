package org.unionfsjava.e2e.vm.support;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the guest's test init ({@code scripts/vm/guest-init}) printed on the serial console:
 * one {@code UNIONFS-VM-CHECK: NAME ok|FAIL detail} line per check, a result line and timings.
 *
 * @param checks each check's name and null if it passed, else its failure detail
 * @param passed the result line's n, or -1 if there was none
 * @param resultPass whether the result line says PASS
 * @param jvmToMountMillis what the initrd's boot script measured from the JVM's exec to the
 *     union being live, or -1
 */
public record GuestReport(Map<String, String> checks, int passed, boolean resultPass,
    long jvmToMountMillis) {

  /** A console line that ends the test run inside the guest. */
  public static final Pattern RESULT =
      Pattern.compile("UNIONFS-VM-RESULT: (PASS|FAIL) n=(\\d+)");
  private static final Pattern CHECK =
      Pattern.compile("UNIONFS-VM-CHECK: (\\S+) (ok|FAIL)(.*)");
  private static final Pattern LIVE =
      Pattern.compile("unionfs-java: union root live (\\d+) ms after the JVM started");

  /** Parses a console log (carriage returns and kernel messages between lines are ignored). */
  public static GuestReport parse(String console) {
    String text = console.replace("\r", "");
    Map<String, String> checks = new LinkedHashMap<>();
    Matcher check = CHECK.matcher(text);
    while (check.find()) {
      checks.put(check.group(1), check.group(2).equals("ok") ? null : check.group(3).strip());
    }
    Matcher result = RESULT.matcher(text);
    boolean found = result.find();
    Matcher live = LIVE.matcher(text);
    return new GuestReport(checks, found ? Integer.parseInt(result.group(2)) : -1,
        found && result.group(1).equals("PASS"), live.find() ? Long.parseLong(live.group(1)) : -1);
  }

  /** The guest's uptime in seconds on the first line that starts with {@code marker}. */
  public static OptionalInt uptimeSecondsAt(String console, String marker) {
    Matcher m = Pattern.compile(Pattern.quote(marker) + ": uptime (\\d+)").matcher(console);
    return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
  }
}
