using System.Diagnostics;
using System.Globalization;

namespace Fleet.Bench.Scenarios;

/// <summary>Creates, signs and verifies a bundle with a large payload and compares verification with
/// <c>openssl dgst -sha256</c> on the same payload file in the same run (all read from the page cache).
/// Each step runs in a fresh child process (<see cref="BundleStepScenario"/>), so its peak RSS is what a
/// real <c>create</c>/<c>verify</c> process needs, runtime included, and no step inherits another's heap.</summary>
internal sealed class BundleScenario : IBenchScenario
{
    public string Name => "bundle";

    public string Description => "create + sign + verify of a large payload vs openssl dgst -sha256 [--size-mib 1024] [--runs 5] [--dir DIR] [--keep]";

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var sizeMib = 1024;
        var runs = 5;
        string? dirArg = null;
        var keep = false;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--size-mib": sizeMib = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--dir": dirArg = args[++i]; break;
                case "--keep": keep = true; break;
                default:
                    Console.Error.WriteLine($"Fleet.Bench bundle: unknown option '{args[i]}'");
                    return 1;
            }
        }

        var dir = dirArg ?? Directory.CreateTempSubdirectory("fleet-bench-").FullName;
        Directory.CreateDirectory(dir);
        var payloadPath = Path.Combine(dir, "payload.bin");
        var bundlePath = Path.Combine(dir, "bench.fwb");
        var keyPath = Path.Combine(dir, "bench.key");
        var size = (long)sizeMib * 1024 * 1024;
        try
        {
            Console.WriteLine($"bundle benchmark: {sizeMib} MiB payload in {dir}, best of {runs} runs, {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {LoadAverage()}");
            if (!File.Exists(payloadPath) || new FileInfo(payloadPath).Length != size)
            {
                WritePayload(payloadPath, size);
            }

            File.Delete(keyPath);
            Fleet.Protocol.Signing.SigningKey.Generate().Save(keyPath);

            // Warm the page cache so every step reads from memory, as openssl then does too.
            await TimeOpenSslAsync(payloadPath, cancellationToken);

            var openssl = new List<Measurement>();
            var create = new List<Measurement>();
            var sign = new List<Measurement>();
            var verify = new List<Measurement>();
            var verifyChunks = new List<Measurement>();
            for (var run = 0; run < runs; run++)
            {
                openssl.Add(await TimeOpenSslAsync(payloadPath, cancellationToken));
                create.Add(await StepAsync("create", payloadPath, bundlePath, keyPath, cancellationToken));
                sign.Add(await StepAsync("sign", payloadPath, bundlePath, keyPath, cancellationToken));
                verify.Add(await StepAsync("verify", payloadPath, bundlePath, keyPath, cancellationToken));
                verifyChunks.Add(await StepAsync("verify-chunks", payloadPath, bundlePath, keyPath, cancellationToken));
            }

            Console.WriteLine();
            Console.WriteLine($"{"step",-22} {"best s",8} {"median s",9} {"best MB/s",10} {"cpu s",7} {"peak RSS MiB",13}");
            Row("openssl dgst -sha256", openssl, size);
            Row("create (unsigned)", create, size);
            Row("sign (rewrite)", sign, size);
            Row("verify", verify, size);
            Row("verify (chunks only)", verifyChunks, size);
            Console.WriteLine();
            var openSslBest = openssl.Min(m => m.Seconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"verify throughput = {openSslBest / verify.Min(m => m.Seconds) * 100:0}% of openssl dgst -sha256 (chunks only: {openSslBest / verifyChunks.Min(m => m.Seconds) * 100:0}%; target >= 80%)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"verify peak RSS   = {verify.Max(m => m.PeakRss) / 1048576.0:0.0} MiB, whole process (target < 64 MiB)"));
            return 0;
        }
        finally
        {
            if (!keep)
            {
                File.Delete(payloadPath);
                File.Delete(bundlePath);
                File.Delete(keyPath);
                if (dirArg is null)
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
        }
    }

    /// <summary>Best and median wall time, the CPU time of the best run, the highest peak RSS of all runs.</summary>
    private static void Row(string name, List<Measurement> runs, long size)
    {
        var sorted = runs.OrderBy(p => p.Seconds).ToList();
        var best = sorted[0];
        var median = sorted[sorted.Count / 2].Seconds;
        var peak = runs.Max(p => p.PeakRss);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-22} {best.Seconds,8:0.000} {median,9:0.000} {size / best.Seconds / 1e6,10:0} {(double.IsNaN(best.CpuSeconds) ? "-" : best.CpuSeconds.ToString("0.00", CultureInfo.InvariantCulture)),7} {(peak == 0 ? "-" : (peak / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture)),13}"));
    }

    private static async Task<Measurement> StepAsync(string step, string payload, string bundle, string key, CancellationToken ct)
    {
        var self = Environment.ProcessPath!;
        var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            psi.ArgumentList.Add(typeof(BundleScenario).Assembly.Location);
        }

        foreach (var a in new[] { BundleStepScenario.StepName, step, payload, bundle, key })
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the bench step");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"bench step {step} failed: {await stderr}");
        }

        return Measurement.Parse((await stdout).Trim());
    }

    private static async Task<Measurement> TimeOpenSslAsync(string path, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "dgst", "-sha256", path })
        {
            psi.ArgumentList.Add(a);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start openssl");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        clock.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl dgst failed: {await process.StandardError.ReadToEndAsync(ct)}");
        }

        await output;
        return new Measurement(clock.Elapsed.TotalSeconds, double.NaN, 0);
    }

    private static void WritePayload(string path, long size)
    {
        var buffer = new byte[1 << 20];
        var random = new Random(42);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 0);
        for (long written = 0; written < size; written += buffer.Length)
        {
            random.NextBytes(buffer);
            file.Write(buffer, 0, (int)Math.Min(buffer.Length, size - written));
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
