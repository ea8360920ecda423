using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Fleet.Testing;

/// <summary>A real product process (hub, agent, CLI, fleet-boot) with its output captured.
/// Dispose kills it and its children by the PID we started, never by name.</summary>
public sealed class ProductProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    private ProductProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public string StandardOutput
    {
        get { lock (_gate) { return _stdout.ToString(); } }
    }

    public string StandardError
    {
        get { lock (_gate) { return _stderr.ToString(); } }
    }

    public IEnumerable<string> Lines => _lines;

    /// <summary>Starts <c>dotnet DLL args</c>, or the program itself when <paramref name="program"/> is not a .dll.</summary>
    public static ProductProcess Start(string program, IEnumerable<string> args, string? workingDirectory = null,
        IDictionary<string, string?>? environment = null, string? standardInput = null)
    {
        var psi = new ProcessStartInfo
        {
            FileName = program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? "dotnet" : program,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        if (program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            psi.ArgumentList.Add(program);
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                psi.Environment[k] = v;
            }
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var result = new ProductProcess(process);
        process.OutputDataReceived += (_, e) => result.Append(e.Data, error: false);
        process.ErrorDataReceived += (_, e) => result.Append(e.Data, error: true);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
        }

        process.StandardInput.Close();
        return result;
    }

    /// <summary>Runs to completion and returns the exit code with both streams.</summary>
    public static async Task<ProcessResult> RunAsync(string program, IEnumerable<string> args, string? workingDirectory = null,
        IDictionary<string, string?>? environment = null, TimeSpan? timeout = null, string? standardInput = null)
    {
        await using var p = Start(program, args, workingDirectory, environment, standardInput);
        await p.WaitForExitAsync(timeout ?? TimeSpan.FromMinutes(3));
        return new ProcessResult(p.ExitCode, p.StandardOutput, p.StandardError);
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{_process.StartInfo.FileName} {string.Join(' ', _process.StartInfo.ArgumentList)} did not exit within {timeout.TotalSeconds:0}s.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
        }

        // Flush the asynchronous readers.
        _process.WaitForExit();
    }

    public async Task WaitForLineAsync(Func<string, bool> match, string what, TimeSpan? timeout = null)
    {
        try
        {
            await Eventually.Until(() =>
            {
                if (_process.HasExited && !_lines.Any(match))
                {
                    throw new InvalidOperationException($"process exited ({_process.ExitCode}) before {what}.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
                }

                return _lines.Any(match);
            }, what, timeout);
        }
        catch (TimeoutException ex)
        {
            // What the process said is what explains a wait that ran out.
            throw new TimeoutException($"{ex.Message}\nlast output:\n{Tail(StandardOutput)}\nstderr:\n{Tail(StandardError)}", ex);
        }
    }

    private static string Tail(string text) => text.Length <= 8000 ? text : "…" + text[^8000..];

    /// <summary>SIGKILL to the process and its children (kill -9, for crash tests).</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>SIGINT or SIGTERM by PID, for clean-shutdown tests.</summary>
    public void Signal(int signal)
    {
        if (!_process.HasExited)
        {
            _ = Posix.Kill(_process.Id, signal);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
        }

        _process.Dispose();
    }

    private void Append(string? line, bool error)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        lock (_gate)
        {
            (error ? _stderr : _stdout).AppendLine(line);
        }
    }
}
