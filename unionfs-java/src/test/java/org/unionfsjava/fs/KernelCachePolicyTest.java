package org.unionfsjava.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("KernelCachePolicy: one kernel timeout and keep_cache decision for every front-end")
class KernelCachePolicyTest {

  @Test
  @DisplayName("fixed lowers: one hour whatever the TTL, pages and listings kept")
  void fixed_oneHourAndKept() {
    KernelCachePolicy p = KernelCachePolicy.of(LowerMode.FIXED, Duration.ofMillis(250));
    assertEquals(3600.0, p.timeoutSeconds());
    assertTrue(p.keepsPageCache());
    assertTrue(p.keepsListings());
    assertEquals(List.of("attr_timeout=3600.0", "entry_timeout=3600.0", "negative_timeout=3600.0",
        "kernel_cache"), p.libfuse2Options());
  }

  @Test
  @DisplayName("changing lowers: the TTL to the millisecond, pages kept only while unchanged")
  void changing_ttl() {
    KernelCachePolicy p = KernelCachePolicy.of(LowerMode.CHANGING, Duration.ofMillis(1500));
    assertEquals(1.5, p.timeoutSeconds());
    assertFalse(p.keepsPageCache());
    assertFalse(p.keepsListings());
    assertEquals(List.of("attr_timeout=1.5", "entry_timeout=1.5", "negative_timeout=1.5",
        "auto_cache"), p.libfuse2Options());
  }

  @Test
  @DisplayName("a mount configuration derives its policy from its lower mode and TTL")
  void mountConfig_derivesIt() {
    MountConfig c = new MountConfig(java.nio.file.Path.of("/u"), List.of(java.nio.file.Path.of("/l")),
        java.nio.file.Path.of("/m"), null, null, LowerMode.FIXED, Duration.ofSeconds(2), null,
        false, null);
    assertEquals(KernelCachePolicy.of(LowerMode.FIXED, Duration.ofSeconds(2)), c.kernelCachePolicy());
    assertEquals(Tuning.defaults(), c.tuning());
  }
}
