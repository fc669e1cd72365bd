package org.unionfsjava.fs.fuse3;

import jnr.ffi.Pointer;

/** A view of libfuse 3.14's {@code struct fuse_file_info} (offsets in {@link Fuse3Abi}). */
public final class FileInfo {
  private final Pointer p;

  FileInfo(Pointer p) {
    this.p = p;
  }

  /** A view, or null for a NULL pointer (e.g. getattr on a path, not on an open file). */
  static FileInfo of(Pointer p) {
    return p == null || p.address() == 0 ? null : new FileInfo(p);
  }

  Pointer pointer() {
    return p;
  }

  /** open(2) flags. */
  public int flags() {
    return p.getInt(Fuse3Abi.FI_FLAGS);
  }

  /** The filesystem's handle, as set by open/create/opendir. */
  public long fh() {
    return p.getLong(Fuse3Abi.FI_FH);
  }

  public void fh(long fh) {
    p.putLong(Fuse3Abi.FI_FH, fh);
  }

  /** FOPEN_KEEP_CACHE: the page cache (or a directory's cached listing) survives this open. */
  public void keepCache() {
    setBit(Fuse3Abi.FI_KEEP_CACHE);
  }

  /** FOPEN_CACHE_DIR: the kernel may cache this directory's listing (opendir only). */
  public void cacheReaddir() {
    setBit(Fuse3Abi.FI_CACHE_READDIR);
  }

  private void setBit(int bit) {
    p.putInt(Fuse3Abi.FI_BITS, p.getInt(Fuse3Abi.FI_BITS) | bit);
  }
}
