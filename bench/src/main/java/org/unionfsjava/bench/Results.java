package org.unionfsjava.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Samples and what is derived from them: medians per (workload, system), ratios of medians to
 * kernel overlayfs and to the best FUSE peer, and the Markdown, CSV and SVG outputs.
 */
final class Results {
  /** One measurement; {@code status} is ok, timeout, failed, check-failed or skipped. */
  record Sample(int rep, String system, String workload, double value, String status) {}

  final List<Workload> workloads;
  final List<UnionSystem> systems;
  final List<Sample> samples = new ArrayList<>();
  final List<String> notes = new ArrayList<>();

  Results(List<Workload> workloads, List<UnionSystem> systems) {
    this.workloads = workloads;
    this.systems = systems;
  }

  synchronized void add(Sample s) {
    samples.add(s);
  }

  /** Median of the usable samples (ok or check-failed), NaN if there are none. */
  double median(String workload, UnionSystem s) {
    List<Double> v = new ArrayList<>();
    for (Sample x : samples) {
      if (x.workload.equals(workload) && x.system.equals(s.id) && Double.isFinite(x.value)
          && (x.status.equals("ok") || x.status.equals("check-failed"))) {
        v.add(x.value);
      }
    }
    if (v.isEmpty()) {
      return Double.NaN;
    }
    v.sort(null);
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  int count(String workload, UnionSystem s) {
    return (int) samples.stream().filter(x -> x.workload.equals(workload) && x.system.equals(s.id)
        && x.status.equals("ok")).count();
  }

  boolean has(UnionSystem s) {
    return systems.contains(s);
  }

  /** Ratio of medians to kernel overlayfs (NaN for RSS, where the kernel has no daemon). */
  double ratioToKernel(Workload w, UnionSystem s) {
    if (w.kind() == Workload.Kind.RSS || !has(UnionSystem.KERNEL)) {
      return Double.NaN;
    }
    return median(w.name(), s) / median(w.name(), UnionSystem.KERNEL);
  }

  /** The FUSE peer with the lowest median for this workload, or null if no peer ran. */
  UnionSystem bestPeer(Workload w) {
    UnionSystem best = null;
    for (UnionSystem s : systems) {
      double m = median(w.name(), s);
      if (s.peer && Double.isFinite(m) && (best == null || m < median(w.name(), best))) {
        best = s;
      }
    }
    return best;
  }

  double ratioToBestPeer(Workload w, UnionSystem s) {
    UnionSystem b = bestPeer(w);
    return b == null ? Double.NaN : median(w.name(), s) / median(w.name(), b);
  }

  /** Systems whose cells are ratios (all but the kernel, which is the unit). */
  private List<UnionSystem> compared() {
    return systems.stream().filter(s -> s != UnionSystem.KERNEL).toList();
  }

  private List<UnionSystem> unionfsJavas() {
    return systems.stream().filter(UnionSystem::isUnionfsJava).toList();
  }

  String markdown(String title, Map<String, String> facts) {
    StringBuilder sb = new StringBuilder();
    sb.append("# ").append(title).append("\n\n");
    for (Map.Entry<String, String> e : facts.entrySet()) {
      sb.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append("\n");
    }
    sb.append("\nRatios of medians (lower is better). Columns after the kernel: median of the system"
        + " / median of kernel overlayfs. \"best peer\": the faster of fuse-overlayfs and"
        + " unionfs-fuse for that row; \"/ peer\": unionfs-java's median / that peer's (above 1.00 ="
        + " slower than the best FUSE peer). rss: resident MiB of the daemon, ratio to the peer"
        + " only. Absolute medians are in results.csv, every sample in samples.csv.\n\n");
    sb.append("| workload | kernel |");
    for (UnionSystem s : compared()) {
      sb.append(' ').append(s.id).append(" |");
    }
    sb.append(" best peer |");
    for (UnionSystem s : unionfsJavas()) {
      sb.append(' ').append(s.id).append(" / peer |");
    }
    sb.append("\n|---|---:|");
    sb.append("---:|".repeat(compared().size()));
    sb.append("---|");
    sb.append("---:|".repeat(unionfsJavas().size()));
    sb.append("\n");
    for (Workload w : workloads) {
      sb.append("| ").append(w.name()).append(" | ");
      if (w.kind() == Workload.Kind.RSS) {
        sb.append("n/a |");
        for (UnionSystem s : compared()) {
          sb.append(' ').append(fmt(median(w.name(), s), "%.0f MiB")).append(" |");
        }
      } else {
        sb.append(fmt(median(w.name(), UnionSystem.KERNEL), "%.3f s")).append(" |");
        for (UnionSystem s : compared()) {
          sb.append(' ').append(fmt(ratioToKernel(w, s), "%.2fx")).append(" |");
        }
      }
      UnionSystem b = bestPeer(w);
      sb.append(' ').append(b == null ? "n/a" : b.id + (w.kind() == Workload.Kind.RSS ? ""
          : " " + fmt(ratioToKernel(w, b), "%.2fx"))).append(" |");
      for (UnionSystem s : unionfsJavas()) {
        double r = ratioToBestPeer(w, s);
        String cell = fmt(r, "%.2f");
        sb.append(' ').append(Double.isFinite(r) && r > 1.0 ? "**" + cell + "**" : cell).append(" |");
      }
      sb.append("\n");
    }
    List<String> slower = slowerThanPeer();
    if (!slower.isEmpty()) {
      sb.append("\nunionfs-java slower than the best FUSE peer (ratio of medians > 1): ")
          .append(String.join(", ", slower)).append("\n");
    }
    sb.append("\n| workload | what |\n|---|---|\n");
    for (Workload w : workloads) {
      sb.append("| ").append(w.name()).append(" | ").append(w.doc().replace("|", "\\|"))
          .append(" |\n");
    }
    if (!notes.isEmpty()) {
      sb.append("\nNotes:\n");
      for (String n : notes) {
        sb.append("- ").append(n).append("\n");
      }
    }
    return sb.toString();
  }

  List<String> slowerThanPeer() {
    List<String> out = new ArrayList<>();
    for (Workload w : workloads) {
      for (UnionSystem s : unionfsJavas()) {
        double r = ratioToBestPeer(w, s);
        if (Double.isFinite(r) && r > 1.0) {
          out.add(w.name() + " (" + s.id + " " + fmt(r, "%.2f") + "x " + bestPeer(w).id + ")");
        }
      }
    }
    return out;
  }

  String csv() {
    StringBuilder sb = new StringBuilder(
        "workload,unit,system,median,samples_ok,ratio_to_kernel,best_peer,ratio_to_best_peer\n");
    for (Workload w : workloads) {
      UnionSystem b = bestPeer(w);
      for (UnionSystem s : systems) {
        sb.append(String.join(",", w.name(), w.unit(), s.id, num(median(w.name(), s)),
            Integer.toString(count(w.name(), s)), num(ratioToKernel(w, s)),
            b == null ? "" : b.id, num(ratioToBestPeer(w, s)))).append("\n");
      }
    }
    return sb.toString();
  }

  String samplesCsv() {
    StringBuilder sb = new StringBuilder("rep,system,workload,value,status\n");
    for (Sample s : samples) {
      sb.append(s.rep).append(',').append(s.system).append(',').append(s.workload).append(',')
          .append(num(s.value)).append(',').append(s.status).append("\n");
    }
    return sb.toString();
  }

  /** Horizontal bars of each system's ratio to the kernel, log scale, one group per workload. */
  String svg(String title) {
    List<UnionSystem> bars = compared();
    List<Workload> rows = workloads.stream().filter(w -> w.kind() != Workload.Kind.RSS).toList();
    String[] colors = {"#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1"};
    int labelW = 150;
    int plotW = 560;
    int barH = 9;
    int groupH = bars.size() * barH + 8;
    int top = 50;
    int height = top + rows.size() * groupH + 40;
    double lo = Math.log10(0.1);
    double hi = Math.log10(1000);
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
        + " height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n", labelW + plotW + 170, height));
    sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    sb.append("<text x=\"10\" y=\"18\" font-size=\"14\">").append(esc(title)).append("</text>\n");
    sb.append("<text x=\"10\" y=\"34\">ratio of medians to kernel overlayfs (log scale; lower is"
        + " better; the bold line is the kernel)</text>\n");
    for (double t : new double[] {0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000}) {
      double x = labelW + (Math.log10(t) - lo) / (hi - lo) * plotW;
      sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\""
          + " stroke=\"%s\" stroke-width=\"%s\"/>\n", x, top - 5, x, height - 30,
          t == 1 ? "#000" : "#ddd", t == 1 ? "2" : "1"));
      sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%sx"
          + "</text>\n", x, height - 15, t < 1 ? Double.toString(t) : Integer.toString((int) t)));
    }
    int y = top;
    for (Workload w : rows) {
      sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
          labelW - 6, y + groupH / 2 + 3, esc(w.name())));
      for (int i = 0; i < bars.size(); i++) {
        double r = ratioToKernel(w, bars.get(i));
        if (Double.isFinite(r) && r > 0) {
          double v = Math.max(lo, Math.min(hi, Math.log10(r)));
          double x0 = labelW;
          double x1 = labelW + (v - lo) / (hi - lo) * plotW;
          sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\""
              + " height=\"%d\" fill=\"%s\"><title>%s %s: %.2fx</title></rect>\n", x0, y + i * barH,
              Math.max(1, x1 - x0), barH - 1, colors[i % colors.length], esc(w.name()),
              bars.get(i).id, r));
        }
      }
      y += groupH;
    }
    for (int i = 0; i < bars.size(); i++) {
      int ly = top + i * 16;
      sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"10\""
          + " fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n", labelW + plotW + 10, ly,
          colors[i % colors.length], labelW + plotW + 26, ly + 9, esc(bars.get(i).id)));
    }
    sb.append("</svg>\n");
    return sb.toString();
  }

  void write(Path dir, String title, Map<String, String> facts) throws IOException {
    Files.writeString(dir.resolve("results.md"), markdown(title, facts), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("results.csv"), csv(), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("samples.csv"), samplesCsv(), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("ratios.svg"), svg(title), StandardCharsets.UTF_8);
  }

  static Map<String, String> facts() {
    return new LinkedHashMap<>();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  static String fmt(double v, String f) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, f, v) : "n/a";
  }

  private static String num(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "";
  }
}
