package org.unionfsjava.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a duration the way people write it: {@code 500ms}, {@code 1s}, {@code 2m}, {@code 1h}, or
 * a plain number of seconds ({@code 3}).
 */
final class DurationConverter implements ITypeConverter<Duration> {

  private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h)?");

  @Override
  public Duration convert(String text) {
    Matcher matcher = DURATION.matcher(text.trim());
    if (!matcher.matches()) {
      throw new TypeConversionException(
          "'" + text + "' is not a duration; write e.g. 500ms, 1s, 2m, 1h or plain seconds");
    }
    long amount = Long.parseLong(matcher.group(1));
    String unit = matcher.group(2) == null ? "s" : matcher.group(2);
    switch (unit) {
      case "ms":
        return Duration.ofMillis(amount);
      case "m":
        return Duration.ofMinutes(amount);
      case "h":
        return Duration.ofHours(amount);
      default:
        return Duration.ofSeconds(amount);
    }
  }

  /** A whole number of hours, minutes or seconds as people write it ({@code 24h}), else ms. */
  static String formatForPeople(Duration duration) {
    long ms = duration.toMillis();
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  /** Writes a duration back in a form {@link #convert} reads (milliseconds, exact to the ms). */
  static String format(Duration duration) {
    return duration.toMillis() + "ms";
  }
}
