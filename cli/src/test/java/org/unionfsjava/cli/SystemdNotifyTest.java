package org.unionfsjava.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemdNotifyTest {

  @TempDir
  Path dir;

  @Test
  void address_pathAndAbstractName() {
    assertArrayEquals(new byte[] {1, 0, '/', 's', 0}, SystemdNotify.address("/s"));
    assertArrayEquals(new byte[] {1, 0, 0, 'n'}, SystemdNotify.address("@n"));
    assertNull(SystemdNotify.address(null));
    assertNull(SystemdNotify.address("relative"));
    assertNull(SystemdNotify.address("/" + "x".repeat(200)));
  }

  @Test
  void send_withoutNotifySocket_sendsNothing() {
    assertFalse(SystemdNotify.send(Map.of(), "READY=1"));
  }

  @Test
  void journalStream_matchesOnlyTheFileItNames() throws IOException {
    Path stream = Files.createFile(dir.resolve("stream"));
    Map<String, Object> id = Files.readAttributes(stream, "unix:dev,ino");
    String value = id.get("dev") + ":" + id.get("ino");
    assertTrue(JournalStream.isStderr(Map.of("JOURNAL_STREAM", value), stream));
    assertFalse(JournalStream.isStderr(Map.of("JOURNAL_STREAM", value),
        Files.createFile(dir.resolve("other"))));
    assertFalse(JournalStream.isStderr(Map.of(), stream));
    assertEquals(false, JournalStream.isStderr(Map.of("JOURNAL_STREAM", "x:y"), stream));
  }
}
