package org.unionfsjava.e2e.nfs.support;

import java.nio.file.Path;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * A union over a lower that behaves like an NFS mount in the ways the host can reproduce without
 * an NFS client: an ext4 image without the {@code filetype} feature (every getdents entry is
 * DT_UNKNOWN, as with {@code nordirplus}), seen through mergerfs with {@code xattr=nosys} (every
 * xattr call answers EOPNOTSUPP, as on NFSv3/v4.x) and mergerfs's 1 s attribute and entry caches
 * (like {@code actimeo=1}). The union is unionfs-java with {@code --lower-mode changing
 * --cache-ttl 1s}, the options examples/nfs-base recommends.
 *
 * <pre>
 *   ROOT/image.img ─loop─▶ ROOT/server (ext4 ^filetype; "the server's disk": tests change it here)
 *   ROOT/server ─mergerfs xattr=nosys─▶ ROOT/lower1 (the union's lower, "the NFS mount")
 *   ROOT/upper + ROOT/lower1 ─unionfs-java─▶ ROOT/mnt
 * </pre>
 *
 * {@link #close} unmounts the union, then mergerfs, then the image, and detaches its loop device,
 * each step even if an earlier one failed.
 */
public final class NfsLikeLower implements AutoCloseable {
  private final LoopImage image;
  private final TestUnion union;
  private MergerfsMount lower;

  private NfsLikeLower(LoopImage image, TestUnion union) {
    this.image = image;
    this.union = union;
  }

  /** True if loop devices, mergerfs and FUSE are there. */
  public static boolean available() {
    return LoopImage.available() && MergerfsMount.available();
  }

  /**
   * Makes the image and the lower mount; fill {@link #server()}, then call {@link #mountUnion}.
   */
  public static NfsLikeLower create(Path root, UnionSystem system, int imageMiB) {
    LoopImage image = LoopImage.ext4WithoutFileType(root.resolve("image.img"), root.resolve("server"), imageMiB);
    NfsLikeLower s = new NfsLikeLower(image, TestUnion.create(root, 1, system));
    try {
      s.lower = MergerfsMount.mount(image.dir(), s.union.lower(1), "xattr=nosys,cache.files=off,fsname=nfslike");
      return s;
    } catch (RuntimeException | Error e) {
      s.close();
      throw e;
    }
  }

  /** Mounts the union with the NFS-base options. */
  public NfsLikeLower mountUnion() {
    union.withArgs("--lower-mode", "changing", "--cache-ttl", "1s").mount();
    return this;
  }

  /** The exported base as the server sees it (a change here is a change "on the server"). */
  public Path server() {
    return image.dir();
  }

  /** The union's lower: the base as the client's NFS mount would show it. */
  public Path lower() {
    return lower.dir();
  }

  /** The loop device of the image (gone after {@link #close}). */
  public String imageDevice() {
    return image.device();
  }

  public TestUnion union() {
    return union;
  }

  /** A path inside the union's mount point. */
  public Path at(String rel) {
    return union.at(rel);
  }

  @Override
  public void close() {
    try {
      union.close();
    } finally {
      try {
        if (lower != null) {
          lower.close();
        }
      } finally {
        image.close();
      }
    }
  }
}
