package org.unionfsjava.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.fs.OpsFixture.ENODATA;
import static org.unionfsjava.fs.OpsFixture.EPERM;
import static org.unionfsjava.fs.OpsFixture.utf8;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.fs.nativeio.NativeBranchIo;
import org.unionfsjava.model.OverlayFormat;

/** The overlay format's own xattrs ({@code trusted.overlay.*}) are invisible and untouchable. */
@DisplayName("UnionOps xattrs: the overlay format's private attributes stay private")
class PrivateXattrTest {
  @TempDir Path root;
  private OpsFixture fx;
  private final NativeBranchIo real = new NativeBranchIo();

  @BeforeEach
  void opaqueDirectory() throws IOException {
    fx = OpsFixture.of(root, "overlay");
    OpsFixture.put(fx.lower(1), "d/old", "old");
    OpsFixture.put(fx.lower(1), "f", "file");
    // rm -rf d; mkdir d: the new d is opaque, marked with trusted.overlay.opaque in the upper
    assertEquals(0, fx.unlink("/d/old"));
    assertEquals(0, fx.rmdir("/d"));
    assertEquals(0, fx.mkdir("/d", 0755));
    assertArrayEquals(utf8("y"), real.getXattr(fx.upper.resolve("d"), OverlayFormat.OPAQUE_XATTR),
        "precondition: the upper directory carries the marker");
  }

  @AfterEach
  void close() {
    fx.close();
  }

  @Test
  @DisplayName("getxattr of trusted.overlay.opaque on an opaque directory answers ENODATA")
  void getxattr_opaqueMarker_enodata() {
    assertEquals(-ENODATA, fx.getxattr("/d", OverlayFormat.OPAQUE_XATTR).rc());
  }

  @Test
  @DisplayName("listxattr of an opaque directory shows the user's attributes and no trusted.overlay.*")
  void listxattr_opaqueDirectory_omitsPrivateNames() {
    assertEquals(0, fx.setxattr("/d", "user.mine", utf8("1"), 0));
    List<String> names = fx.listxattr("/d").require();
    assertTrue(names.contains("user.mine"), names.toString());
    assertTrue(names.stream().noneMatch(n -> n.startsWith("trusted.overlay.")), names.toString());
  }

  @Test
  @DisplayName("setxattr of trusted.overlay.opaque answers EPERM and the marker keeps its value")
  void setxattr_opaqueMarker_epermMarkerUnchanged() throws IOException {
    assertEquals(-EPERM, fx.setxattr("/d", OverlayFormat.OPAQUE_XATTR, utf8("n"), 0));
    assertArrayEquals(utf8("y"), real.getXattr(fx.upper.resolve("d"), OverlayFormat.OPAQUE_XATTR));
    assertEquals(List.of(), fx.list("/d"), "still opaque");
  }

  @Test
  @DisplayName("setxattr of any trusted.overlay.* name on a lower file answers EPERM and copies nothing up")
  void setxattr_privateNameOnLowerFile_epermNoCopyUp() throws IOException {
    assertEquals(-EPERM, fx.setxattr("/f", "trusted.overlay.redirect", utf8("/x"), 0));
    assertNull(real.lstat(fx.upper.resolve("f")), "no copy-up for a refused change");
  }

  @Test
  @DisplayName("removexattr of trusted.overlay.opaque answers ENODATA and the directory stays opaque")
  void removexattr_opaqueMarker_enodataStillOpaque() throws IOException {
    assertEquals(-ENODATA, fx.removexattr("/d", OverlayFormat.OPAQUE_XATTR));
    assertArrayEquals(utf8("y"), real.getXattr(fx.upper.resolve("d"), OverlayFormat.OPAQUE_XATTR));
  }
}
