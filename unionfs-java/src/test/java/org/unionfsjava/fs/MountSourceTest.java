package org.unionfsjava.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountSourceTest {

  @Test
  void of_upperThenLowersTopFirst_joinedByColons() {
    assertEquals("/srv/u:/srv/site:/nfs/base",
        MountSource.of(Path.of("/srv/u"), List.of(Path.of("/srv/site"), Path.of("/nfs/base"))));
  }

  @Test
  void fsnameOption_escapesCommaAndBackslashForLibfuse() {
    assertEquals("fsname=/u:/a\\,b:/c\\\\d",
        MountSource.fsnameOption(Path.of("/u"), List.of(Path.of("/a,b"), Path.of("/c\\d"))));
  }
}
