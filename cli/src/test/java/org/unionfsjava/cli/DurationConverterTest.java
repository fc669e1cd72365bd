package org.unionfsjava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

/** The durations {@code --cache-ttl} accepts. */
class DurationConverterTest {

  private final DurationConverter converter = new DurationConverter();

  @Test
  void convert_units() {
    assertEquals(Duration.ofMillis(500), converter.convert("500ms"));
    assertEquals(Duration.ofSeconds(1), converter.convert("1s"));
    assertEquals(Duration.ofMinutes(2), converter.convert("2m"));
    assertEquals(Duration.ofHours(1), converter.convert("1h"));
  }

  @Test
  void convert_plainNumber_isSeconds() {
    assertEquals(Duration.ofSeconds(3), converter.convert("3"));
    assertEquals(Duration.ZERO, converter.convert("0"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "ms", "-1s", "1.5s", "1 s", "1sec", "PT1S", "2d", "abc"})
  void convert_malformed_isRejected(String text) {
    assertThrows(TypeConversionException.class, () -> converter.convert(text));
  }

  @Test
  void format_readsBack() {
    for (Duration duration : new Duration[] {Duration.ZERO, Duration.ofMillis(1500),
        Duration.ofMinutes(2)}) {
      assertEquals(duration, converter.convert(DurationConverter.format(duration)));
    }
  }

  @Test
  void formatForPeople_largestUnitThatIsWhole() {
    assertEquals("24h", DurationConverter.formatForPeople(Duration.ofHours(24)));
    assertEquals("90m", DurationConverter.formatForPeople(Duration.ofMinutes(90)));
    assertEquals("2s", DurationConverter.formatForPeople(Duration.ofSeconds(2)));
    assertEquals("1500ms", DurationConverter.formatForPeople(Duration.ofMillis(1500)));
  }
}
