package org.unionfsjava.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Tuning: the unionfs.* system properties, read in one place")
class TuningTest {

  private static Tuning with(String... keyValues) {
    Properties p = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return Tuning.from(p, "amd64");
  }

  @Test
  @DisplayName("no property set: the defaults, libfuse 3")
  void none_defaults() {
    assertEquals(Tuning.defaults(), with());
    assertEquals(FuseLibrary.LIBFUSE3, with().fuseLibrary());
  }

  @Test
  @DisplayName("unionfs.fuse=2 and any architecture but x86_64 select libfuse2")
  void fuse_libfuse2() {
    assertEquals(FuseLibrary.LIBFUSE2, with("unionfs.fuse", "2").fuseLibrary());
    assertEquals(FuseLibrary.LIBFUSE2, with("unionfs.fuse", " 2 ").fuseLibrary());
    assertEquals(FuseLibrary.LIBFUSE3, with("unionfs.fuse", "3").fuseLibrary());
    assertEquals(FuseLibrary.LIBFUSE2, Tuning.from(new Properties(), "aarch64").fuseLibrary());
  }

  @Test
  @DisplayName("each property sets its own component and only that one")
  void eachProperty_itsComponent() {
    Tuning d = Tuning.defaults();
    assertEquals(12345L, with("unionfs.cacheBytes", "12345").cacheBytes());
    assertFalse(with("unionfs.fuse3.posixAcl", "false").posixAcl());
    assertFalse(with("unionfs.fuse3.readdirplus", "false").readdirplus());
    assertFalse(with("unionfs.fuse3.cacheDir", "false").cacheDir());
    assertFalse(with("unionfs.fuse3.noOpendir", "false").noOpendir());
    assertFalse(with("unionfs.fuse3.splice", "false").splice());
    assertTrue(with("unionfs.fuse3.threads", "multi").workerPool());
    assertEquals(0, with("unionfs.fuse3.readers", "0").readers());
    assertEquals(3, with("unionfs.fuse3.maxThreads", "3").maxThreads());
    assertFalse(with("unionfs.startupOverlap", "false").startupOverlap());
    assertEquals(Set.of("copyup.after-data", "rename.before-final"),
        with("unionfs.crash-at", "copyup.after-data, rename.before-final,").crashPoints());
    assertEquals(d, with("unionfs.fuse3.splice", "true", "unionfs.fuse3.threads", "single"));
  }

  @Test
  @DisplayName("a value that cannot be read keeps the default, as Long.getLong did")
  void badValues_defaults() {
    assertEquals(Tuning.DEFAULT_CACHE_BYTES, with("unionfs.cacheBytes", "lots").cacheBytes());
    assertEquals(Tuning.DEFAULT_CACHE_BYTES, with("unionfs.cacheBytes", "0").cacheBytes());
    assertEquals(Tuning.DEFAULT_CACHE_BYTES, with("unionfs.cacheBytes", "-5").cacheBytes());
    assertEquals(Tuning.DEFAULT_READERS, with("unionfs.fuse3.readers", "four").readers());
    assertEquals(Tuning.DEFAULT_MAX_THREADS,
        with("unionfs.fuse3.maxThreads", "99999999999").maxThreads());
  }
}
