package org.unionfsjava.fs.nativeio;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.OverlayFormat;
import org.unionfsjava.model.WhiteoutFormat;
import org.unionfsjava.model.WhiteoutFormatContract;

/**
 * The whiteout format contract (whiteout-model's test-jar) for the kernel overlayfs format:
 * character-device whiteouts and {@code trusted.overlay.opaque}, written by {@link NativeBranchIo}
 * on a real temporary directory. Needs root (CAP_MKNOD, trusted xattrs); skipped otherwise.
 */
@DisplayName("overlay format contract (NativeBranchIo, real directory)")
class OverlayFormatContractTest implements WhiteoutFormatContract {
  @TempDir
  Path tmp;

  @BeforeEach
  void requireRoot() {
    assumeTrue("root".equals(System.getProperty("user.name")),
        "the overlay format needs mknod and trusted xattrs (root)");
  }

  @Override
  public BranchIo branchIo() {
    return new NativeBranchIo();
  }

  @Override
  public WhiteoutFormat whiteoutFormat() {
    return new OverlayFormat();
  }

  @Override
  public Path tempRoot() throws IOException {
    return tmp;
  }
}
