package org.unionfsjava.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every number the transport hard-codes, against the kernel's header: a C program generated from
 * the Java constants prints offsetof()/sizeof()/the macro of each, compiled with gcc against the
 * system's linux/fuse.h (Debian 12: protocol 7.38). What is newer than that header (7.39-7.45:
 * STATX, passthrough, backing map, max_stack_depth, request_timeout) is checked against the
 * 6.18 header's numbers written here, and where it took over a padding field, that the padding
 * sits at the same place in 7.38.
 */
@Timeout(120)
class LayoutTest {
  /** Struct fields newer than 7.38: the C expression that gives their offset in 7.38. */
  private static final Map<String, String> RENAMED_SINCE_738 = Map.of(
      "fuse_init_out.max_stack_depth", "offsetof(struct fuse_init_out, unused)",
      "fuse_init_out.request_timeout", "offsetof(struct fuse_init_out, unused) + 4",
      "fuse_open_out.backing_id", "offsetof(struct fuse_open_out, padding)");
  /** Structs newer than 7.38, with their layout in the 6.18 header (fuse.h 7.45). */
  private static final Map<String, Integer> NEWER_STRUCTS = new HashMap<>(Map.of(
      "fuse_backing_map.fd", 0, "fuse_backing_map.flags", 4, "fuse_backing_map", 16,
      "fuse_statx_in.getattr_flags", 0, "fuse_statx_in.fh", 8, "fuse_statx_in.sx_flags", 16,
      "fuse_statx_in.sx_mask", 20, "fuse_statx_in", 24));
  /** Bits and opcodes newer than 7.38, with their 6.18 values. */
  private static final Map<String, Long> NEWER_NUMBERS = Map.ofEntries(
      Map.entry("FUSE_STATX", 52L), Map.entry("FUSE_CREATE_SUPP_GROUP", 1L << 34), Map.entry("FUSE_COPY_FILE_RANGE_64", 53L),
      Map.entry("FUSE_DIRECT_IO_ALLOW_MMAP", 1L << 36), Map.entry("FUSE_PASSTHROUGH", 1L << 37),
      Map.entry("FUSE_NO_EXPORT_SUPPORT", 1L << 38), Map.entry("FUSE_HAS_RESEND", 1L << 39),
      Map.entry("FUSE_ALLOW_IDMAP", 1L << 40), Map.entry("FUSE_OVER_IO_URING", 1L << 41),
      Map.entry("FUSE_REQUEST_TIMEOUT", 1L << 42), Map.entry("FOPEN_PASSTHROUGH", 1L << 7));

  static {
    NEWER_STRUCTS.putAll(Map.of("fuse_statx_out.attr_valid", 0, "fuse_statx_out.attr_valid_nsec", 8,
        "fuse_statx_out.flags", 12, "fuse_statx_out.stat", 32, "fuse_statx_out", 288));
  }

  private static Map<String, Long> printed;

  /** The Java constants: "struct.field" (or "struct" for its size) to the value. */
  static Map<String, Integer> javaLayout() throws IllegalAccessException {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (Class<?> c : Layout.class.getDeclaredClasses()) {
      String struct = "fuse" + c.getSimpleName().replaceAll("([A-Z])", "_$1").toLowerCase();
      for (Field f : c.getDeclaredFields()) {
        if (!Modifier.isStatic(f.getModifiers()) || f.getType() != int.class || f.getName().equals("COMPAT_SIZE")) {
          continue;
        }
        String name = f.getName();
        String key = name.equals("SIZE") ? struct : struct + "." + (name.equals("SIZE_") ? "size" : name.toLowerCase());
        m.put(key, f.getInt(null));
      }
    }
    return m;
  }

  private static String structExpr(String key) {
    if (key.startsWith("fuse_statx.")) {
      return "offsetof(struct statx, stx_" + key.substring(11) + ")";
    }
    if (key.equals("fuse_statx")) {
      return "sizeof(struct statx)";
    }
    if (RENAMED_SINCE_738.containsKey(key)) {
      return RENAMED_SINCE_738.get(key);
    }
    int dot = key.indexOf('.');
    return dot < 0 ? "sizeof(struct " + key + ")" : "offsetof(struct " + key.substring(0, dot) + ", " + key.substring(dot + 1) + ")";
  }

  /** The numbers of opcodes, init flags and other constants: C name to Java value. */
  static Map<String, Long> javaNumbers() throws IllegalAccessException {
    Map<String, Long> m = new LinkedHashMap<>();
    for (Opcode o : Opcode.values()) {
      m.put("FUSE_" + o.name(), (long) o.code);
    }
    for (Field f : InitFlags.class.getDeclaredFields()) {
      if (f.getType() == long.class && Modifier.isPublic(f.getModifiers())) {
        m.put("FUSE_" + f.getName(), f.getLong(null));
      }
    }
    for (Field f : Protocol.class.getDeclaredFields()) {
      if (f.getType() != int.class || !Modifier.isPublic(f.getModifiers())) {
        continue;
      }
      String n = f.getName();
      if (n.startsWith("FOPEN_") || n.startsWith("FATTR_")) {
        m.put(n, (long) f.getInt(null));
      } else if (n.startsWith("RELEASE_") || n.startsWith("GETATTR_") || n.startsWith("WRITE_") || n.startsWith("FSYNC_")
          || n.startsWith("NOTIFY_") || n.equals("EXPIRE_ONLY") || n.equals("MIN_READ_BUFFER") || n.equals("ROOT_ID")
          || n.equals("KERNEL_VERSION") || n.equals("OPEN_KILL_SUIDGID")) {
        m.put("FUSE_" + n, (long) f.getInt(null));
      }
    }
    m.put("FUSE_ROOT_ID", Protocol.ROOT_ID);
    m.put("FUSE_DEV_IOC_CLONE", (long) Protocol.DEV_IOC_CLONE & 0xffffffffL);
    return m;
  }

  @BeforeAll
  static void compileAndRun() throws Exception {
    Path dir = Files.createTempDirectory("fuse-layout");
    StringBuilder c = new StringBuilder("#include <linux/fuse.h>\n#include <linux/stat.h>\n#include <linux/ioctl.h>\n"
        + "#include <stdio.h>\n#include <stddef.h>\n#include <stdint.h>\nint main(void) {\n");
    for (String key : javaLayout().keySet()) {
      if (NEWER_STRUCTS.containsKey(key)) {
        continue;
      }
      c.append("  printf(\"%s %lu\\n\", \"").append(key).append("\", (unsigned long) (").append(structExpr(key)).append("));\n");
    }
    for (String name : javaNumbers().keySet()) {
      c.append("#ifdef ").append(name).append("\n  printf(\"%s %llu\\n\", \"").append(name)
          .append("\", (unsigned long long) (").append(name).append("));\n#endif\n");
    }
    // enumerators are no macros: print the opcodes and notify codes directly, newer ones excepted
    for (Opcode o : Opcode.values()) {
      if (!NEWER_NUMBERS.containsKey("FUSE_" + o.name())) {
        c.append("  printf(\"%s %llu\\n\", \"FUSE_").append(o.name()).append("\", (unsigned long long) FUSE_")
            .append(o.name()).append(");\n");
      }
    }
    for (String n : List.of("INVAL_INODE", "INVAL_ENTRY", "DELETE")) {
      c.append("  printf(\"FUSE_NOTIFY_").append(n).append(" %d\\n\", FUSE_NOTIFY_").append(n).append(");\n");
    }
    c.append("  printf(\"FUSE_DEV_IOC_BACKING_OPEN %lu\\n\", (unsigned long) _IOW(FUSE_DEV_IOC_MAGIC, 1, "
        + "struct { int32_t fd; uint32_t flags; uint64_t padding; }));\n");
    c.append("  printf(\"FUSE_DEV_IOC_BACKING_CLOSE %lu\\n\", (unsigned long) _IOW(FUSE_DEV_IOC_MAGIC, 2, uint32_t));\n");
    c.append("  printf(\"FUSE_KERNEL_MINOR_VERSION %d\\n\", FUSE_KERNEL_MINOR_VERSION);\n  return 0;\n}\n");
    Path src = dir.resolve("offsets.c");
    Files.writeString(src, c);
    Path exe = dir.resolve("offsets");
    run(List.of("gcc", "-Wall", "-o", exe.toString(), src.toString()));
    printed = new HashMap<>();
    for (String line : run(List.of(exe.toString())).split("\n")) {
      String[] f = line.split(" ");
      printed.put(f[0], Long.parseUnsignedLong(f[1]));
    }
  }

  private static String run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + cmd);
    assertEquals(0, p.exitValue(), cmd + " said:\n" + out);
    return out;
  }

  @Test
  void everyStructOffsetAndSize_matchesTheHeader() throws Exception {
    List<String> wrong = new ArrayList<>();
    int checked = 0;
    for (Map.Entry<String, Integer> e : javaLayout().entrySet()) {
      Long expected = NEWER_STRUCTS.containsKey(e.getKey()) ? Long.valueOf(NEWER_STRUCTS.get(e.getKey())) : printed.get(e.getKey());
      checked++;
      if (expected == null || expected != e.getValue().longValue()) {
        wrong.add(e.getKey() + ": Java " + e.getValue() + ", header " + expected);
      }
    }
    assertEquals(List.of(), wrong);
    assertTrue(checked > 200, checked + " fields checked");
    assertTrue(printed.get("FUSE_KERNEL_MINOR_VERSION") >= 36, "the system header is 7." + printed.get("FUSE_KERNEL_MINOR_VERSION"));
  }

  @Test
  void everyOpcodeFlagAndIoctlNumber_matchesTheHeader() throws Exception {
    Map<String, Long> numbers = javaNumbers();
    numbers.put("FUSE_DEV_IOC_BACKING_OPEN", (long) Protocol.DEV_IOC_BACKING_OPEN & 0xffffffffL);
    numbers.put("FUSE_DEV_IOC_BACKING_CLOSE", (long) Protocol.DEV_IOC_BACKING_CLOSE & 0xffffffffL);
    List<String> wrong = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, Long> e : numbers.entrySet()) {
      Long header = printed.get(e.getKey());
      if (header == null) {
        header = NEWER_NUMBERS.get(e.getKey());
      }
      if (header == null) {
        unknown.add(e.getKey());
      } else if (header.longValue() != e.getValue()) {
        wrong.add(e.getKey() + ": Java " + e.getValue() + ", header " + header);
      }
    }
    assertEquals(List.of(), wrong);
    assertEquals(List.of(), unknown, "constants the header does not define");
  }
}
