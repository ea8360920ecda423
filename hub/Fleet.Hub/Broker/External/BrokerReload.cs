using System.Runtime.InteropServices;
using Fleet.Hub.Hosting;

namespace Fleet.Hub.Broker.External;

/// <summary>Asks the broker to re-read its CRL: SIGHUP to the process named in <c>--broker-pid-file</c> (Mosquitto
/// reloads its TLS files on SIGHUP). Without a pid file the operator reloads it (docs/scale-out.md).</summary>
internal sealed class BrokerReload(HubOptions options, ILogger<BrokerReload> log)
{
    private const int SigHup = 1;

    public void Reload()
    {
        if (options.BrokerPidFile is null)
        {
            return;
        }

        try
        {
            var text = File.ReadAllText(options.BrokerPidFile).Trim();
            if (!int.TryParse(text, out var pid) || pid <= 1)
            {
                log.LogWarning("--broker-pid-file {File} holds '{Text}', not a process id; reload the broker by hand", options.BrokerPidFile, text);
                return;
            }

            if (Kill(pid, SigHup) != 0)
            {
                log.LogWarning("Could not signal broker process {Pid} (errno {Errno}); reload it by hand", pid, Marshal.GetLastPInvokeError());
            }
        }
        catch (IOException ex)
        {
            log.LogWarning("Cannot read --broker-pid-file: {Message}; reload the broker by hand", ex.Message);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
