using System.Diagnostics;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Signing;
using Semver;

namespace Fleet.Bench.Scenarios;

/// <summary>One step of <see cref="BundleScenario"/> in its own process:
/// <c>bundle-step create|sign|verify|verify-chunks PAYLOAD BUNDLE KEY</c>; prints "seconds cpu-seconds peak-rss-bytes".</summary>
internal sealed class BundleStepScenario : IBenchScenario
{
    public const string StepName = "bundle-step";

    public string Name => StepName;

    public string Description => "(used by 'bundle') one create|sign|verify|verify-chunks step in a fresh process";

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args.Count != 4)
        {
            Console.Error.WriteLine("usage: Fleet.Bench bundle-step create|sign|verify|verify-chunks PAYLOAD BUNDLE KEY");
            return 1;
        }

        var (step, payload, bundle, keyPath) = (args[0], args[1], args[2], args[3]);
        var key = SigningKey.Load(keyPath);
        var spec = new BundleSpec
        {
            Product = "bench",
            Version = SemVersion.Parse("1.0.0", SemVersionStyles.Strict),
            Platform = "sim",
            Architecture = "x64",
        };
        var policy = new VerificationPolicy([key.PublicKey]);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        switch (step)
        {
            case "create":
                await BundleWriter.CreateAsync(spec, payload, bundle, cancellationToken: cancellationToken);
                break;
            case "sign":
                await BundleWriter.SignAsync(bundle, key, cancellationToken: cancellationToken);
                break;
            case "verify" or "verify-chunks":
                var result = BundleVerifier.VerifyFile(bundle, policy with { CheckWholePayloadHash = step == "verify" }, cancellationToken: cancellationToken);
                if (!result.IsValid)
                {
                    Console.Error.WriteLine($"the benchmark bundle did not verify: {result}");
                    return 1;
                }

                break;
            default:
                Console.Error.WriteLine($"unknown step '{step}'");
                return 1;
        }

        clock.Stop();
        if (Environment.GetEnvironmentVariable("FLEET_BENCH_MEMORY") == "1")
        {
            // Where the resident memory is: anonymous (heaps, stacks), file-backed (runtime and assemblies), shared (JIT double mapping).
            foreach (var line in File.ReadLines("/proc/self/status").Where(l => l.StartsWith("Rss", StringComparison.Ordinal) || l.StartsWith("VmHWM", StringComparison.Ordinal)))
            {
                Console.Error.WriteLine(line);
            }

            var byFile = new Dictionary<string, long>();
            var current = "";
            foreach (var line in File.ReadLines("/proc/self/smaps"))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length >= 5 && fields[0].Contains('-', StringComparison.Ordinal))
                {
                    current = fields.Length >= 6 ? fields[5] : "[anon]";
                }
                else if (fields.Length >= 2 && fields[0] == "Rss:")
                {
                    byFile[current] = byFile.GetValueOrDefault(current) + long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            foreach (var (file, kib) in byFile.OrderByDescending(p => p.Value).Take(12))
            {
                Console.Error.WriteLine($"{kib,8} KiB {file}");
            }

            var gc = GC.GetGCMemoryInfo();
            Console.Error.WriteLine($"allocated {GC.GetTotalAllocatedBytes() / 1048576} MiB, gen0 GCs {GC.CollectionCount(0)}, gen2 GCs {GC.CollectionCount(2)}");
            Console.Error.WriteLine($"GC heap {gc.HeapSizeBytes / 1048576} MiB, committed {gc.TotalCommittedBytes / 1048576} MiB");
        }

        var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        Console.WriteLine(new Measurement(clock.Elapsed.TotalSeconds, used, ProcessMemory.PeakBytes()).ToString());
        return 0;
    }
}
