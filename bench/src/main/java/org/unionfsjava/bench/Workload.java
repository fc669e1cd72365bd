package org.unionfsjava.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One measured row. {@code cmd} is a bash script timed as a whole; it sees {@code $M} (mount
 * point), {@code $L} (the lower) and {@code $D} (the data set directory). {@code pre} and
 * {@code post} run untimed before and after it; {@code check} runs untimed after it and must
 * succeed, or the sample is flagged (a wrong answer must not pass for a fast one).
 */
record Workload(String name, Kind kind, Layer layer, boolean dropCaches, String pre, String cmd,
    String post, String check, String doc) {

  enum Kind { TIME, STARTUP, RSS }

  /** Which mount runs it: the main data set on the plain (ext4) upper, or the xfs image. */
  enum Layer { PLAIN, XFS }

  String unit() {
    return kind == Kind.RSS ? "MiB" : "s";
  }

  static Workload time(String name, String cmd, String doc) {
    return new Workload(name, Kind.TIME, Layer.PLAIN, false, null, cmd, null, null, doc);
  }

  Workload drop() {
    return new Workload(name, kind, layer, true, pre, cmd, post, check, doc);
  }

  Workload pre(String s) {
    return new Workload(name, kind, layer, dropCaches, s, cmd, post, check, doc);
  }

  Workload post(String s) {
    return new Workload(name, kind, layer, dropCaches, pre, cmd, s, check, doc);
  }

  Workload check(String s) {
    return new Workload(name, kind, layer, dropCaches, pre, cmd, post, s, doc);
  }

  Workload on(Layer l) {
    return new Workload(name, kind, l, dropCaches, pre, cmd, post, check, doc);
  }

  static String sizeLabel(int mib) {
    return mib % 1024 == 0 ? (mib / 1024) + "g" : mib + "m";
  }

  /** Every workload, in the order one mount runs them (reads first, then changes). */
  static List<Workload> all(Sizes z, boolean fio) {
    List<Workload> w = new ArrayList<>();
    w.add(new Workload("startup", Kind.STARTUP, Layer.PLAIN, false, null, null, null, null,
        "exec of the mount command to the mount point showing in /proc/self/mountinfo"));
    String walk = "find \"$M/tree\" -printf '%s\\n' >/dev/null";
    w.add(time("meta-cold", walk, "stat every entry of the " + z.treeFiles() + "-file / "
        + z.treeDirs() + "-dir tree after drop_caches (fresh mount)").drop());
    w.add(time("meta-warm", walk, "the same walk again"));
    w.add(new Workload("rss", Kind.RSS, Layer.PLAIN, false, null, null, null, null,
        "resident memory of the daemon after the walks (VmRSS)"));
    String ls = "ls -l \"$M/bigdir\" >/dev/null";
    int entries = z.bigdirLower() + z.bigdirUpper();
    w.add(time("readdir-first", ls, "ls -l of a " + entries + "-entry directory merged from lower"
        + " and upper, first time"));
    w.add(time("readdir-warm", ls, "the same listing again")
        .check("[ \"$(ls \"$M/bigdir\" | wc -l)\" -eq " + entries + " ]"));
    String neg = "for i in $(seq -w 1 " + z.negNames() + "); do for d in 0 1 2 3 4 5 6 7 8 9; do"
        + " [ -e \"$M/path/bin$d/nocmd$i\" ] && exit 1; done; done; exit 0";
    w.add(time("neg-first", neg, (z.negNames() * DataSet.NEG_DIRS)
        + " stats of missing names in 10 PATH-like dirs (bash [ -e ]), first time"));
    w.add(time("neg-warm", neg, "the same negative lookups again"));
    w.add(time("openclose", "while IFS= read -r f; do : <\"$M/$f\"; done <\"$D/openclose.list\"",
        "open+close (bash redirection, no read) of " + z.openCloseFiles() + " small lower files"));
    String dd = "dd if=\"$M/big/seq.bin\" of=/dev/null bs=1M status=none";
    w.add(time("seqread-cold", dd, "dd bs=1M of the " + sizeLabel(z.seqMiB())
        + " lower file after drop_caches").drop());
    w.add(time("seqread-warm", dd, "the same read again"));
    int blocks = z.randMiB() * 256;
    if (fio) {
      String f = "fio --name=rr --filename=\"$M/big/seq.bin\" --readonly --rw=randread --bs=4k"
          + " --ioengine=psync --invalidate=0 --randrepeat=1 --randseed=4242 --output=/dev/null";
      w.add(time("randread", f + " --numjobs=1 --io_size=" + z.randMiB() + "m",
          "fio psync 4 KiB random reads of the " + sizeLabel(z.seqMiB()) + " file, " + blocks
              + " reads, one job (page cache warm from seqread)"));
      w.add(time("randread-4j", f + " --numjobs=4 --io_size=" + (z.randMiB() * 256) + "k",
          "the same reads split over four parallel jobs"));
      w.add(time("randread-4j-cold", f + " --numjobs=4 --io_size=" + (z.randMiB() * 256) + "k",
          "the same four jobs after drop_caches: every read reaches the lower's disk").drop());
    } else {
      // without fio: dd per block (process start dominates; install fio for real numbers)
      String d1 = "for i in $(seq 1 " + Math.min(blocks, 2000) + "); do dd if=\"$M/big/seq.bin\""
          + " of=/dev/null bs=4k count=1 skip=$(( (i * 7919) % " + (z.seqMiB() * 256)
          + " )) status=none; done";
      w.add(time("randread", d1, "dd-based 4 KiB random reads (fio not installed)"));
      w.add(time("randread-4j", "for j in 1 2 3 4; do (" + d1 + ") & done; wait",
          "four dd-based readers in parallel (fio not installed)"));
    }
    w.add(time("copyup-" + sizeLabel(z.copyupMiB()), "printf x >>\"$M/big/copyup.bin\"",
        "append one byte to a " + sizeLabel(z.copyupMiB()) + " lower file (copy-up; lower file"
            + " in page cache)")
        .pre("cat \"$L/big/copyup.bin\" >/dev/null").post("sync")
        .check("[ \"$(stat -c %s \"$M/big/copyup.bin\")\" -eq " + (z.copyupMiB() * 1048576L + 1)
            + " ]"));
    w.add(time("seqwrite", "dd if=/dev/zero of=\"$M/seqwrite.bin\" bs=1M count=" + z.writeMiB()
        + " status=none", "dd bs=1M of a new " + sizeLabel(z.writeMiB()) + " file (no fsync;"
        + " synced untimed after)").post("sync"));
    w.add(time("smallfile", "perl -MFcntl -MIO::Handle -e 'my $b = \"x\" x 4096; for my $i (1.."
        + z.smallFiles() + ") { sysopen(my $f, \"$ENV{M}/sf/f$i\", O_WRONLY|O_CREAT|O_EXCL, 0644)"
        + " or die \"$i: $!\"; syswrite($f, $b) == 4096 or die; $f->sync or die; close $f or die }'",
        z.smallFiles() + " x (create + 4 KiB write + fsync + close)").pre("mkdir \"$M/sf\""));
    w.add(time("untar", "tar -xf \"$D/src.tar\" -C \"$M/untar\"", "untar a " + z.tarFiles()
        + "-file source tree into the union (synced untimed after)")
        .pre("mkdir \"$M/untar\"").post("sync")
        .check("[ \"$(find \"$M/untar\" -type f | wc -l)\" -eq " + z.tarFiles() + " ]"));
    w.add(time("rm-rf", "rm -rf \"$M/rmt/victim\"", "rm -rf of a " + z.rmFiles()
        + "-file lower subtree (whiteouts)").check("[ ! -e \"$M/rmt/victim\" ]"));
    w.add(time("rm-list", "ls -laR \"$M/rmt\" >/dev/null", "ls -laR of its parent after that")
        .check("[ -z \"$(ls \"$M/rmt\" | grep -v '^keep$')\" ]"));
    String big = sizeLabel(z.bigMiB());
    for (Layer layer : Layer.values()) {
      String fs = layer == Layer.PLAIN ? "plain" : "xfs";
      String where = layer == Layer.PLAIN ? "plain upper on the lower's ext4"
          : "reflink xfs holding lower and upper";
      w.add(time("mv-dir/" + fs, "mv \"$M/mvd/src\" \"$M/mvd/dst\"", "mv of a lower directory"
          + " with " + z.mvFiles() + " files, " + where).on(layer).post("sync")
          .check("[ \"$(find \"$M/mvd/dst\" -type f | wc -l)\" -eq " + z.mvFiles()
              + " ] && [ ! -e \"$M/mvd/src\" ]"));
      String chmodFile = layer == Layer.PLAIN ? "seq.bin" : "chmod.bin";
      int chmodMiB = layer == Layer.PLAIN ? z.seqMiB() : z.bigMiB();
      w.add(time("chmod-" + sizeLabel(chmodMiB) + "/" + fs, "chmod 600 \"$M/big/" + chmodFile
          + "\"", "chmod of a " + sizeLabel(chmodMiB) + " lower file, " + where).on(layer)
          .pre("cat \"$L/big/" + chmodFile + "\" >/dev/null").post("sync")
          .check("[ \"$(stat -c %a \"$M/big/" + chmodFile + "\")\" = 600 ]"));
      w.add(time("append-" + big + "/" + fs, "printf x >>\"$M/big/append.bin\"",
          "append one byte to a " + big + " lower file, " + where).on(layer)
          .pre("cat \"$L/big/append.bin\" >/dev/null").post("sync")
          .check("[ \"$(stat -c %s \"$M/big/append.bin\")\" -eq " + (z.bigMiB() * 1048576L + 1)
              + " ]"));
    }
    return w;
  }
}
