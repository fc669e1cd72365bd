package org.unionfsjava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogDirectoryTest {

  @TempDir
  Path dir;

  @Test
  void root_logsInRun_whateverItsEnvironment() {
    assertEquals(Path.of("/run/unionfs-java"),
        LogDirectory.choose(0, Map.of("XDG_RUNTIME_DIR", dir.toString()), Path.of("/root")));
  }

  @Test
  void user_withRuntimeDirectory_logsThere() {
    assertEquals(dir.resolve("unionfs-java"),
        LogDirectory.choose(1000, Map.of("XDG_RUNTIME_DIR", dir.toString()), Path.of("/home/u")));
  }

  @Test
  void user_withoutRuntimeDirectory_logsInStateHome() {
    assertEquals(Path.of("/home/u/.local/state/unionfs-java"),
        LogDirectory.choose(1000, Map.of(), Path.of("/home/u")));
    assertEquals(Path.of("/home/u/.local/state/unionfs-java"), LogDirectory.choose(1000,
        Map.of("XDG_RUNTIME_DIR", dir.resolve("missing").toString()), Path.of("/home/u")));
    assertEquals(Path.of("/srv/state/unionfs-java"), LogDirectory.choose(1000,
        Map.of("XDG_RUNTIME_DIR", "relative", "XDG_STATE_HOME", "/srv/state"), Path.of("/home/u")));
  }

  @Test
  void effectiveUid_isTheSecondUidField() throws IOException {
    Path status = Files.writeString(dir.resolve("status"),
        "Name:\tjava\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\n");
    assertEquals(0, LogDirectory.effectiveUid(status));
    assertEquals(-1, LogDirectory.effectiveUid(dir.resolve("none")));
  }
}
