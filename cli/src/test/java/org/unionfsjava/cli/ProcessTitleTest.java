package org.unionfsjava.cli;

import org.unionfsjava.model.WhiteoutChoice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.unionfsjava.fs.LowerMode;
import org.unionfsjava.fs.MountConfig;

class ProcessTitleTest {

  @Test
  void argumentRange_fields48And49_evenWithSpacesAndParenthesesInTheName() {
    StringBuilder stat = new StringBuilder("4242 (java (x) y) S");
    for (int field = 4; field <= 52; field++) {
      stat.append(' ').append(field == 48 ? 1000 : field == 49 ? 1234 : field);
    }
    assertArrayEquals(new long[] {1000, 1234}, ProcessTitle.argumentRange(stat + "\n"));
  }

  @Test
  void of_namesTheMountPointAndTheBranches() {
    MountConfig options = new MountConfig(Path.of("/srv/u"),
        List.of(Path.of("/srv/site"), Path.of("/nfs/base")), Path.of("/mnt/union"), null,
        WhiteoutChoice.AUTO, LowerMode.CHANGING, Duration.ofSeconds(1), List.of(), false, null);
    assertEquals("unionfs-java /mnt/union upper=/srv/u lower=/srv/site:/nfs/base",
        ProcessTitle.of(options));
  }
}
