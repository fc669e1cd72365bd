package org.unionfsjava.e2e.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.unionfsjava.e2e.support.Fixture.file;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.TreeSnapshot;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Issue 18 item 1: {@code mknod NAME c 0 0}. In the overlay format a character device 0/0 is the
 * whiteout, so a user may not make one: the union refuses it with EPERM and changes nothing, as
 * kernel overlayfs does (before, it answered ENOENT and left the device in the upper, where it hid
 * the lower's NAME from then on). In the aufs format a 0/0 device is no marker: it is made, as on
 * a plain directory.
 */
@Timeout(180)
@DisplayName("mknod c 0 0: refused cleanly in the overlay format, a real device in aufs")
class WhiteoutDeviceMknodTest {

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  void mknodCharDevice00_overlayRefusesAndLeavesNothing_aufsMakesTheDevice(UnionSystem system, @TempDir Path tmp) {
    SystemSelection.assumeSelected(system);
    boolean overlayFormat = system != UnionSystem.JAVA_AUFS;
    TestUnion u = TestUnion.create(tmp, 1, system);
    try {
      file(u.lower(1).resolve("d/keep"), "keep\n");
      file(u.lower(1).resolve("d/lowername"), "lower\n");
      u.mount();
      Map<String, String> branchesBefore = branches(u);

      String newName = Syscalls.mknod(u.at("d/dev00"), Syscalls.S_IFCHR | 0644, 0, 0).outcome();
      String lowerName = Syscalls.mknod(u.at("d/lowername"), Syscalls.S_IFCHR | 0644, 0, 0).outcome();
      String atRoot = Syscalls.mknod(u.at("rootdev00"), Syscalls.S_IFCHR | 0644, 0, 0).outcome();
      assertEquals(List.of(overlayFormat ? "EPERM" : "OK", "EEXIST", overlayFormat ? "EPERM" : "OK"),
          List.of(newName, lowerName, atRoot), system + ": mknod c 0 0 of a new name, a lower name, a name at the root");
      assertEquals("lower\n", Fixture.read(u.at("d/lowername")), "the lower's name still shows");
      if (overlayFormat) {
        assertFalse(Fixture.exists(u.at("d/dev00")), "a refused mknod made nothing");
        assertEquals(List.of("keep", "lowername"), Fixture.names(u.at("d")));
        assertEquals(branchesBefore, branches(u), "a refused mknod leaves nothing in the upper or work directory");
      } else {
        Fixture.Stat st = Fixture.stat(u.at("d/dev00"));
        assertEquals(List.of("char", 0L), List.of(st.kind(), st.rdev()), "the device through the union");
        Fixture.Stat up = Fixture.stat(u.upper().resolve("d/dev00"));
        assertEquals(List.of("char", 0L), List.of(up.kind(), up.rdev()), "the device in the upper");
        assertEquals(List.of("dev00", "keep", "lowername"), Fixture.names(u.at("d")));
      }

      // A name the lower gets while the union is unmounted: nothing the refused call left may hide it.
      u.unmount();
      file(u.lower(1).resolve("d/dev00"), "arrived below\n");
      file(u.lower(1).resolve("rootdev00"), "arrived below\n");
      u.mount();
      if (overlayFormat) {
        assertEquals("arrived below\n", Fixture.read(u.at("d/dev00")), system + ": the lower's new name shows");
        assertEquals("arrived below\n", Fixture.read(u.at("rootdev00")), system + ": the lower's new name shows");
      } else {
        assertEquals("char", Fixture.stat(u.at("d/dev00")).kind(), "the upper's device wins over the lower's file");
        assertEquals("char", Fixture.stat(u.at("rootdev00")).kind(), "the upper's device wins over the lower's file");
      }
    } finally {
      u.close();
    }
  }

  /** Every object of the upper and of the kernel's separate work directory (unionfs-java's is inside the upper). */
  private static Map<String, String> branches(TestUnion u) {
    Map<String, String> all = new TreeMap<>();
    TreeSnapshot.of(u.upper(), false).forEach((k, v) -> all.put("upper/" + k, v));
    TreeSnapshot.of(u.work(), false).forEach((k, v) -> all.put("work/" + k, v));
    return all;
  }
}
