package org.unionfsjava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product's log4j2.xml as a background server uses it (BackgroundLauncher sets
 * {@code -Dunionfs.log.file}): a rolling file, renamed FILE.1, FILE.2, FILE.3 past its size limit,
 * never more than three old files, and the mount and unmount lines there at the default level.
 * Each test starts a Log4j context of its own from the file, so the test JVM's logging is untouched.
 */
class RollingLogTest {

  private static final String LINE = "x".repeat(120);

  @TempDir
  Path dir;

  @Test
  void pastTheSizeLimit_theLogRolls_keepingThreeOldFiles_andTheLatestLinesInTheLog()
      throws IOException, URISyntaxException {
    Path log = dir.resolve("mnt-union.log");
    LoggerContext context = start(log, "4KB");
    try {
      Logger lifecycle = context.getLogger("unionfs-java.lifecycle");
      Logger server = context.getLogger(Mounter.class.getName());
      lifecycle.info("mounted /mnt/union (upper /srv/upper, lower [/srv/base], pid 1)");
      server.info("an INFO line of another logger: below the default level");
      for (int i = 0; i < 300; i++) {
        server.warn("warning {} {}", i, LINE);
      }
      lifecycle.info("unmounted /mnt/union");
    } finally {
      context.stop();
    }
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.map(p -> p.getFileName().toString()).sorted().forEach(names::add);
    }
    assertEquals(List.of("mnt-union.log", "mnt-union.log.1", "mnt-union.log.2", "mnt-union.log.3"),
        names, "the files in the log directory");
    for (String name : names) {
      long size = Files.size(dir.resolve(name));
      assertTrue(size <= 4096 + 400, name + " is " + size + " bytes, past the 4KB limit");
    }
    String latest = Files.readString(log);
    assertTrue(latest.contains("INFO  [main] lifecycle: unmounted /mnt/union"), latest);
    assertTrue(latest.contains("warning 299 "), latest);
    String oldest = Files.readString(dir.resolve("mnt-union.log.3"));
    int first = Integer.parseInt(oldest.replaceAll("(?s)^.*?warning (\\d+) .*$", "$1"));
    int firstOfNewer = Integer.parseInt(Files.readString(dir.resolve("mnt-union.log.2"))
        .replaceAll("(?s)^.*?warning (\\d+) .*$", "$1"));
    assertTrue(first < firstOfNewer, "FILE.3 is older than FILE.2: " + first + ", " + firstOfNewer);
    assertTrue(first > 0, "the oldest lines were not dropped: FILE.3 starts at warning " + first);
    for (String name : names) {
      assertFalse(Files.readString(dir.resolve(name)).contains("below the default level"), name);
    }
  }

  @Test
  void underTheLimit_oneFile_withTheMountAndUnmountAtTheDefaultLevel()
      throws IOException, URISyntaxException {
    Path log = dir.resolve("srv-guest.log");
    Files.writeString(log, "--- starting: the launcher's header line\n");
    LoggerContext context = start(log, "10MB");
    try {
      context.getLogger("unionfs-java.lifecycle").info("mounted /srv/guest (upper /u, lower [/l], pid 2)");
      context.getLogger(Mounter.class.getName()).info("mounting: below the default level");
      context.getLogger("unionfs-java.lifecycle").info("unmounted /srv/guest");
    } finally {
      context.stop();
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(1, files.count(), "a log under the limit was rolled");
    }
    List<String> lines = Files.readAllLines(log);
    assertEquals(3, lines.size(), lines.toString());
    assertEquals("--- starting: the launcher's header line", lines.get(0), "appended, not replaced");
    assertTrue(lines.get(1).matches("\\S+ \\S+ INFO  \\[main\\] lifecycle: mounted"
        + " /srv/guest \\(upper /u, lower \\[/l\\], pid 2\\)"), lines.get(1));
    assertTrue(lines.get(2).endsWith("INFO  [main] lifecycle: unmounted /srv/guest"),
        lines.get(2));
  }

  /** A Log4j context of the product's configuration with the server's properties set. */
  private static LoggerContext start(Path log, String size) throws URISyntaxException {
    System.setProperty(BackgroundLauncher.LOG_FILE_PROPERTY, log.toString());
    System.setProperty("unionfs.log.size", size);
    try {
      LoggerContext context = new LoggerContext("rolling-log-test-" + log.getFileName(), null,
          RollingLogTest.class.getResource("/log4j2.xml").toURI());
      context.start();
      return context;
    } finally {
      System.clearProperty(BackgroundLauncher.LOG_FILE_PROPERTY);
      System.clearProperty("unionfs.log.size");
    }
  }
}
