package org.unionfsjava.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.unionfsjava.model.WhiteoutChoice;

/** The FUSE options a mount passes ({@link UnionMount#fuseArguments}). */
@DisplayName("UnionMount.fuseArguments: kernel timeouts and caching follow the lower mode")
class UnionMountFuseArgumentsTest {

  private static MountConfig options(LowerMode mode, Duration ttl, List<String> extra) {
    return new MountConfig(Path.of("/u"), List.of(Path.of("/l")), Path.of("/m"), null,
        WhiteoutChoice.AUTO, mode, ttl, extra, false, Tuning.defaults());
  }

  /** The first -o group as name → value (null for a flag). */
  private static Map<String, String> firstGroup(List<String> args) {
    assertEquals("-o", args.get(0));
    Map<String, String> out = new LinkedHashMap<>();
    for (String opt : args.get(1).split(",")) {
      int eq = opt.indexOf('=');
      out.put(eq < 0 ? opt : opt.substring(0, eq), eq < 0 ? null : opt.substring(eq + 1));
    }
    return out;
  }

  @ParameterizedTest(name = "ttl {0} ms")
  @ValueSource(longs = {1000, 500, 2500, 0})
  @DisplayName("CHANGING: attr, entry and negative timeouts equal the TTL in seconds; auto_cache, no kernel_cache")
  void fuseArguments_changingMode_timeoutsEqualTtlAndAutoCache(long ttlMillis) {
    Map<String, String> o = firstGroup(UnionMount.fuseArguments(
        options(LowerMode.CHANGING, Duration.ofMillis(ttlMillis), List.of()), false));
    double seconds = ttlMillis / 1000.0;
    for (String t : List.of("attr_timeout", "entry_timeout", "negative_timeout")) {
      assertTrue(o.containsKey(t), t + " missing: " + o);
      assertEquals(seconds, Double.parseDouble(o.get(t)), 1e-9, t);
    }
    assertTrue(o.containsKey("auto_cache"));
    assertFalse(o.containsKey("kernel_cache"));
  }

  @Test
  @DisplayName("single-threaded (-s): libfuse2's multi-threaded loop can deadlock on racing renames")
  void fuseArguments_singleThreaded() {
    for (LowerMode mode : LowerMode.values()) {
      List<String> args = UnionMount.fuseArguments(options(mode, Duration.ofSeconds(1), List.of("ro")), true);
      assertEquals("-s", args.get(args.size() - 1), args.toString());
    }
  }

  @Test
  @DisplayName("FIXED: kernel_cache, no auto_cache, and kernel timeouts longer than any TTL")
  void fuseArguments_fixedMode_kernelCache() {
    Map<String, String> o = firstGroup(UnionMount.fuseArguments(
        options(LowerMode.FIXED, Duration.ofSeconds(1), List.of()), false));
    assertTrue(o.containsKey("kernel_cache"));
    assertFalse(o.containsKey("auto_cache"));
    assertTrue(Double.parseDouble(o.get("attr_timeout")) >= 60, o.toString());
    assertTrue(Double.parseDouble(o.get("entry_timeout")) >= 60, o.toString());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"CHANGING", "FIXED"})
  @DisplayName("always: fsname the branches, subtype unionfs-java, default_permissions, use_ino, big_writes, max_write=131072; no hard_remove")
  void fuseArguments_anyMode_fixedOptions(String mode) {
    Map<String, String> o = firstGroup(UnionMount.fuseArguments(
        options(LowerMode.valueOf(mode), Duration.ofSeconds(1), List.of()), false));
    assertEquals("/u:/l", o.get("fsname"));
    assertEquals("unionfs-java", o.get("subtype"));
    assertTrue(o.containsKey("default_permissions"));
    assertTrue(o.containsKey("use_ino"));
    assertTrue(o.containsKey("big_writes"));
    assertEquals("131072", o.get("max_write"));
    // hard_remove was dropped on purpose (commit efc7688): libfuse2 then hides open unlinked
    // files as .fuse_hidden*, which UnlinkedOpenFiles keeps reachable for fstat(2)
    assertFalse(o.containsKey("hard_remove"), o.toString());
  }

  @Test
  @DisplayName("allow_other only when running as root")
  void fuseArguments_root_allowOtherOnlyForRoot() {
    MountConfig m = options(LowerMode.CHANGING, Duration.ofSeconds(1), List.of());
    assertTrue(firstGroup(UnionMount.fuseArguments(m, true)).containsKey("allow_other"));
    assertFalse(firstGroup(UnionMount.fuseArguments(m, false)).containsKey("allow_other"));
  }

  @Test
  @DisplayName("extra -o options are appended after the union's own, in the order given")
  void fuseArguments_extraOptions_appendedInOrder() {
    List<String> args = UnionMount.fuseArguments(
        options(LowerMode.CHANGING, Duration.ofSeconds(1), List.of("ro", "uid=5,gid=6")), true);
    assertEquals(List.of("-o", "ro", "-o", "uid=5,gid=6"), args.subList(2, args.size() - 1), args.toString());
    assertTrue(firstGroup(args).containsKey("fsname"), "the union's own options come first");
  }
}
