using Fleet.Hub.Broker.External;
using Fleet.Hub.Devices;
using Fleet.Hub.Hosting;

namespace Fleet.Hub.Broker;

/// <summary>Registers what carries MQTT: the embedded MQTTnet broker, or a client of an external broker.</summary>
internal static class DeviceLinks
{
    public static void AddDeviceLink(this IServiceCollection services, HubOptions options)
    {
        // The registry, inbox and drop counter reach the broker (IDeviceLink), so the broker gets them on first use.
        services.AddSingleton(sp => new Lazy<DeviceRegistry>(sp.GetRequiredService<DeviceRegistry>));
        services.AddSingleton(sp => new Lazy<DeviceInbox>(sp.GetRequiredService<DeviceInbox>));
        services.AddSingleton(sp => new Lazy<DroppedMessages>(sp.GetRequiredService<DroppedMessages>));
        services.AddSingleton<PublishRates>();
        if (options.ExternalBroker)
        {
            services.AddSingleton(sp => new MosquittoConfig(options.FullBrokerConfigDir, sp.GetRequiredService<Pki.HubPki>(), options));
            services.AddSingleton(sp => new BrokerReload(options, sp.GetRequiredService<ILogger<BrokerReload>>()));
            services.AddSingleton<ExternalBroker>();
            services.AddSingleton<IDeviceLink>(sp => sp.GetRequiredService<ExternalBroker>());
            services.AddHostedService(sp => sp.GetRequiredService<ExternalBroker>());
            return;
        }

        services.AddSingleton<EmbeddedBroker>();
        services.AddSingleton<IDeviceLink>(sp => sp.GetRequiredService<EmbeddedBroker>());
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
    }
}
