package org.unionfsjava.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.unionfsjava.fs.nativeio.NativeBranchIo;
import org.unionfsjava.lifecycle.Progress;
import org.unionfsjava.lifecycle.Snapshots;
import org.unionfsjava.model.NameCharset;

/** What snapshot, reset, rollback and squash share: the branches, opened as {@link Snapshots}. */
final class LayerTool {
  private LayerTool() {}

  /**
   * The upper's snapshots over the given (base) lowers; refuses a work directory outside the
   * upper, where the layer record could not be swapped with the upper in one rename.
   */
  static Snapshots open(BranchArguments.Resolved r, String tool, Progress progress) throws Exception {
    if (r.workDir() != null && !r.workDir().equals(r.upper().resolve(".unionfs-java"))) {
      throw new CommandFailure(ExitStatus.USAGE, tool + " needs the work directory inside the"
          + " upper (the default UPPER/.unionfs-java): its record of the layers moves with the upper");
    }
    List<Path> lowers = new ArrayList<>();
    for (Path l : r.lowers()) {
      lowers.add(NameCharset.fromPlatform(l));
    }
    return new Snapshots(new NativeBranchIo(), NameCharset.fromPlatform(r.upper()), lowers, progress);
  }

  /** The layers directory as the user typed paths (platform form). */
  static Path layersDir(BranchArguments.Resolved r) {
    return org.unionfsjava.fs.SnapshotLayers.layersDir(r.upper());
  }
}
