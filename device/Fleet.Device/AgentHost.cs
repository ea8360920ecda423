using Fleet.Device.Commands;
using Fleet.Device.Configuration;
using Fleet.Device.Hardware;
using Fleet.Device.Health;
using Fleet.Device.Link;
using Fleet.Device.Ota;
using Fleet.Device.Sensors;
using Fleet.Device.Simulation;
using Fleet.Device.Storage;
using Fleet.Device.Update;
using Fleet.Device.Tank;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Fleet.Device;

/// <summary>Wires the agent. Public seams: <see cref="ICommandHandler"/> (add a command), <see cref="IDeviceLink"/>
/// (publish/subscribe under the device's topics), <see cref="IDeviceEvents"/> (report events), <see cref="DeviceRoot"/>
/// (paths and atomic state files), <see cref="TankController"/> and <see cref="SensorReadings"/> (health checks).</summary>
public static class AgentHost
{
    public static IServiceCollection AddFleetAgent(this IServiceCollection services, AgentOptions options, AgentProfile profile)
    {
        var root = new DeviceRoot(options.Root);
        Directory.CreateDirectory(root.Path);
        services.AddSingleton(root);
        services.AddSingleton(options);
        services.AddSingleton(profile);
        services.AddSingleton(profile.Sampling);

        // Simulated tanks may run their day faster; sampling and control timers stay real.
        TimeProvider clock = options.Simulate && profile.Simulation.Speed != 1.0 ? new ScaledTimeProvider(profile.Simulation.Speed) : TimeProvider.System;
        services.AddSingleton(clock);
        var firmwareInfo = new SlotFirmwareInfo(root);
        if (options.Simulate)
        {
            // Read now, so a bad list in the running firmware stops the start with its message (Program).
            var defects = SimulationDefects.Load(firmwareInfo.Misc(SimulationDefects.MiscKey), firmwareInfo.ManifestPath);
            services.AddSingleton<IBoardBus>(sp => new SimulatedBoard(profile, clock, root.SimulationDir,
                new SimulatedFaults(Path.Combine(root.SimulationDir, "faults.json"), defects)));
        }
        else
        {
            services.AddSingleton<IBoardBus, PiBoardBus>();
        }

        services.AddSingleton(sp => new Board(sp.GetRequiredService<IBoardBus>(), profile));
        services.AddSingleton(sp => sp.GetRequiredService<Board>().Relays);
        services.AddSingleton<SensorReadings>();
        services.AddSingleton<EventOutbox>();
        services.AddSingleton<IDeviceEvents>(sp => sp.GetRequiredService<EventOutbox>());
        services.AddSingleton(_ => new TelemetrySpool(root.SpoolDir, profile.Telemetry.SpoolMaxBatches));
        services.AddSingleton(_ => new TankStore(root.Path));

        // A reading counts as fresh for three sampling periods (in the tank's clock, which may run fast).
        var speed = options.Simulate ? profile.Simulation.Speed : 1.0;
        var freshness = TimeSpan.FromMilliseconds(3 * Math.Max(profile.Sampling.IntervalMs, profile.Sampling.ControlIntervalMs) * speed) + TimeSpan.FromSeconds(2);
        // The health checks judge every reading; the tank distrusts a critical sensor they find stuck or jumping.
        // Each reads the other (the monitor the tank's settings): the controller is resolved on first use.
        services.AddSingleton(sp => new Lazy<TankController>(sp.GetRequiredService<TankController>));
        services.AddSingleton(sp =>
        {
            var readings = sp.GetRequiredService<SensorReadings>();
            var tank = sp.GetRequiredService<Lazy<TankController>>();
            var monitor = new HealthMonitor(profile.Health, sp.GetRequiredService<Board>().Sensors.Select(s => s.Sensor), () => tank.Value.Settings);
            readings.Accepted += monitor.Observe;
            readings.Invalidated += monitor.Fault;
            return monitor;
        });
        services.AddSingleton(sp => new TankController(
            sp.GetRequiredService<SensorReadings>(), sp.GetRequiredService<IRelayBank>(), sp.GetRequiredService<IDeviceEvents>(),
            clock, sp.GetRequiredService<TankStore>(), profile.Sampling, freshness, sp.GetRequiredService<ILogger<TankController>>(),
            trust: sp.GetRequiredService<HealthMonitor>()));
        services.AddSingleton<IFirmwareInfo>(firmwareInfo);
        services.AddSingleton(sp => new HealthReporter(sp.GetRequiredService<HealthMonitor>(), sp.GetRequiredService<TankController>(),
            sp.GetRequiredService<IFirmwareInfo>(), sp.GetRequiredService<IDeviceLink>(), clock, profile, RestartCounter.CountStart(root.Path),
            sp.GetRequiredService<ILogger<HealthReporter>>()));
        services.AddSingleton<DeviceLink>();
        services.AddSingleton<IDeviceLink>(sp => sp.GetRequiredService<DeviceLink>());
        services.AddSingleton<ICommandHandler, RebootHandler>();
        services.AddSingleton<ICommandHandler, IdentifyHandler>();
        services.AddSingleton<ICommandHandler, ConfigHandler>();
        services.AddSingleton<ICommandHandler, MaintenanceHandler>();
        services.AddSingleton<ICommandHandler, TrustCommandHandler>();
        services.AddSingleton<HubAnchorPin>();
        services.AddSingleton<ICommandHandler, HubAnchorCommandHandler>();
        services.AddSingleton<TrialHealthCheck>();
        services.AddSingleton<UpdateAgent>();
        // The update agent talks over the link, whose handlers reach the update agent: resolved on first use.
        services.AddSingleton(sp => new Lazy<UpdateAgent>(sp.GetRequiredService<UpdateAgent>));
        services.AddSingleton<ICommandHandler, UpdateCommandHandler>();
        services.AddSingleton<ICommandHandler, CancelUpdateCommandHandler>();
        services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();

        // Stopped in reverse: watchdog, link (says offline), batcher (flushes to the spool), sensors, tank (outputs off).
        services.AddHostedService(sp => sp.GetRequiredService<TankController>());
        services.AddHostedService<SensorSupervisor>();
        services.AddHostedService<TelemetryBatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<DeviceLink>());
        services.AddHostedService(sp => sp.GetRequiredService<UpdateAgent>());
        services.AddHostedService(sp => sp.GetRequiredService<HealthReporter>());
        services.AddHostedService<SystemdWatchdog>();
        return services;
    }
}
