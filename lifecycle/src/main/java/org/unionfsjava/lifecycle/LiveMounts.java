package org.unionfsjava.lifecycle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.unionfsjava.fs.MountTable;
import org.unionfsjava.model.NameCharset;

/**
 * Which unions are mounted, and over which branches, read from the outside: the kernel's mount
 * table ({@code /proc/self/mountinfo}) and the serving processes' command lines. unionfs-java
 * servers run {@code mount --foreground --upper U --lower L ... MOUNTPOINT}; kernel overlayfs
 * names its branches in the mount's options; fuse-overlayfs and unionfs-fuse in their command
 * lines.
 *
 * <p>{@link #servingUpper} answers for every kind of union this process can see, also a dead
 * unionfs-java mount (its source names its branches). The tools that change or rely on an upper
 * ask it and then take the upper's lock ({@code UpperLock}), which a unionfs-java server holds
 * while it serves, in whatever mount namespace, and which keeps a mount out while the tool runs.
 */
public final class LiveMounts {

  /** A union mounted now: its mount point, what serves it, and its branches. */
  public record Union(Path mountPoint, String server, long pid, Path upper, List<Path> lowers,
      Path workDir, String whiteoutFormat) {}

  private final Path proc;

  /** The live mounts of this machine (this process's mount namespace). */
  public LiveMounts() {
    this(Path.of("/proc"));
  }

  LiveMounts(Path proc) {
    this.proc = proc;
  }

  /**
   * The union that serves this upper now, if any (a unionfs-java, kernel overlayfs,
   * fuse-overlayfs or unionfs-fuse mount whose upper is this directory).
   */
  public Optional<Union> servingUpper(Path upper) throws IOException {
    Path want = upper.toAbsolutePath().normalize();
    for (Union u : unions()) {
      if (u.upper() != null && u.upper().equals(want)) {
        return Optional.of(u);
      }
    }
    return Optional.empty();
  }

  /** The union mounted at this mount point, if one is. */
  public Optional<Union> at(Path mountPoint) throws IOException {
    Path want = mountPoint.toAbsolutePath().normalize();
    for (Union u : unions()) {
      if (u.mountPoint().equals(want)) {
        return Optional.of(u);
      }
    }
    return Optional.empty();
  }

  /** Every union mounted now, with its branches where they could be found. */
  public List<Union> unions() throws IOException {
    MountTable table = MountTable.read(proc.resolve("self/mountinfo"));
    List<Union> out = new ArrayList<>();
    List<MountTable.Entry> fuseMounts = new ArrayList<>();
    for (MountTable.Entry m : table.entries()) {
      String type = m.fsType();
      if (type.equals("overlay")) {
        out.add(kernelOverlay(m.mountPoint(), m.superOptions()));
      } else if (type.equals(MountTable.FS_TYPE) || type.equals("fuse.fuse-overlayfs")
          || type.equals("fuse.unionfs") || type.equals("fuse.unionfs-fuse")) {
        fuseMounts.add(m);
      }
    }
    if (!fuseMounts.isEmpty()) {
      List<Server> servers = servers();
      for (MountTable.Entry m : fuseMounts) {
        Path mp = m.mountPoint();
        Server s = servers.stream().filter(x -> mp.equals(x.mountPoint)).findFirst().orElse(null);
        out.add(s == null ? fromSource(mp, m.fsType(), m.source())
            : new Union(mp, s.server, s.pid, s.upper, s.lowers, s.workDir, s.format));
      }
    }
    return out;
  }

  /**
   * A FUSE union whose server was not found (it has ended: the mount is dead; or it runs where
   * this process cannot see it): a unionfs-java mount names its branches in its source,
   * {@code UPPER:LOWER...} ({@code MountSource}), so its upper is still known.
   */
  private static Union fromSource(Path mp, String type, String source) {
    if (!type.equals(MountTable.FS_TYPE) || !source.startsWith("/")) {
      return new Union(mp, type, 0, null, List.of(), null, null);
    }
    String[] parts = source.split(":");
    List<Path> lowers = new ArrayList<>();
    for (int i = 1; i < parts.length; i++) {
      lowers.add(Path.of(parts[i]));
    }
    return new Union(mp, "unionfs-java (no server: it has ended)", 0, Path.of(parts[0]), lowers, null, null);
  }

  /** A kernel overlay's branches from its superblock options (unescaped by {@link MountTable}). */
  private static Union kernelOverlay(Path mp, List<String> options) {
    Path upper = null;
    Path work = null;
    List<Path> lowers = new ArrayList<>();
    for (String o : options) {
      if (o.startsWith("upperdir=")) {
        upper = Path.of(o.substring(9));
      } else if (o.startsWith("workdir=")) {
        work = Path.of(o.substring(8));
      } else if (o.startsWith("lowerdir=")) {
        for (String l : o.substring(9).split("(?<!\\\\):")) {
          lowers.add(Path.of(l.replace("\\:", ":")));
        }
      }
    }
    return new Union(mp, "kernel overlayfs", 0, upper, lowers, work, "overlay");
  }

  private static List<String> splitOptions(String options) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < options.length(); i++) {
      char c = options.charAt(i);
      if (c == ',' && (i == 0 || options.charAt(i - 1) != '\\')) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }

  private record Server(String server, long pid, Path mountPoint, Path upper, List<Path> lowers,
      Path workDir, String format) {}

  /** The serving processes of FUSE unions, from their command lines. */
  private List<Server> servers() throws IOException {
    List<Server> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(proc, "[0-9]*")) {
      for (Path p : ds) {
        List<String> args;
        try {
          args = arguments(Files.readAllBytes(p.resolve("cmdline")));
        } catch (IOException gone) {
          continue;
        }
        Server s = parse(Long.parseLong(p.getFileName().toString()), args, p);
        if (s != null) {
          out.add(s);
        }
      }
    }
    return out;
  }

  private static List<String> arguments(byte[] cmdline) {
    List<String> args = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < cmdline.length; i++) {
      if (cmdline[i] == 0) {
        args.add(new String(cmdline, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    return args;
  }

  /** A server's branches from its command line, or null if it is not a union server. */
  static Server parse(long pid, List<String> args, Path procDir) {
    int mount = args.indexOf("mount");
    if (mount >= 0 && args.contains("--foreground") && args.contains("--upper")
        && args.stream().anyMatch(a -> a.contains("unionfsjava") || a.contains("unionfs-java"))) {
      Path cwd = cwd(procDir);
      Path upper = null;
      Path work = null;
      String format = "auto";
      List<Path> lowers = new ArrayList<>();
      for (int i = mount + 1; i < args.size() - 1; i++) {
        String a = args.get(i);
        if (a.equals("--")) {
          break;
        }
        switch (a) {
          case "--upper": upper = abs(cwd, args.get(++i)); break;
          case "--lower": lowers.add(abs(cwd, args.get(++i))); break;
          case "--workdir": work = abs(cwd, args.get(++i)); break;
          case "--whiteout-format": format = args.get(++i); break;
          default: break;
        }
      }
      Path mp = abs(cwd, args.get(args.size() - 1));
      return new Server("unionfs-java", pid, mp, upper, lowers, work, format);
    }
    String exe = args.isEmpty() ? "" : Path.of(args.get(0)).getFileName().toString();
    if (exe.equals("fuse-overlayfs")) {
      Path cwd = cwd(procDir);
      Path upper = null;
      Path work = null;
      List<Path> lowers = new ArrayList<>();
      for (int i = 1; i < args.size() - 1; i++) {
        if (args.get(i).equals("-o")) {
          for (String o : splitOptions(args.get(i + 1))) {
            if (o.startsWith("upperdir=")) {
              upper = abs(cwd, o.substring(9));
            } else if (o.startsWith("workdir=")) {
              work = abs(cwd, o.substring(8));
            } else if (o.startsWith("lowerdir=")) {
              for (String l : o.substring(9).split(":")) {
                lowers.add(abs(cwd, l));
              }
            }
          }
        }
      }
      return new Server("fuse-overlayfs", pid, abs(cwd, args.get(args.size() - 1)), upper, lowers, work, "overlay");
    }
    if (exe.equals("unionfs") || exe.equals("unionfs-fuse")) {
      Path cwd = cwd(procDir);
      List<String> plain = new ArrayList<>();
      for (int i = 1; i < args.size(); i++) {
        if (args.get(i).equals("-o")) {
          i++;
        } else if (!args.get(i).startsWith("-")) {
          plain.add(args.get(i));
        }
      }
      if (plain.size() < 2) {
        return null;
      }
      Path upper = null;
      List<Path> lowers = new ArrayList<>();
      for (String b : plain.get(0).split(":")) {
        int eq = b.lastIndexOf('=');
        String dir = eq > 0 ? b.substring(0, eq) : b;
        boolean rw = eq > 0 && b.substring(eq + 1).equalsIgnoreCase("RW");
        if (rw && upper == null) {
          upper = abs(cwd, dir);
        } else {
          lowers.add(abs(cwd, dir));
        }
      }
      return new Server("unionfs-fuse", pid, abs(cwd, plain.get(1)), upper, lowers, null, "unionfs-fuse");
    }
    return null;
  }

  private static Path cwd(Path procDir) {
    try {
      return procDir == null ? null : Files.readSymbolicLink(procDir.resolve("cwd"));
    } catch (IOException e) {
      return null;
    }
  }

  private static Path abs(Path cwd, String p) {
    Path path = Path.of(p);
    if (!path.isAbsolute() && cwd != null) {
      path = cwd.resolve(path);
    }
    return path.toAbsolutePath().normalize();
  }

  /** A union path in the JVM's name charset for a path read as text (mountinfo, cmdline). */
  static Path names(Path p) {
    return p == null ? null : NameCharset.fromPlatform(p);
  }
}
