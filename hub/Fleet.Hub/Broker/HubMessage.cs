using System.Runtime.InteropServices;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Hub.Broker;

/// <summary>One message from the hub to a device, the same whichever broker carries it.</summary>
internal static class HubMessage
{
    public static MqttApplicationMessage Build(string topic, ReadOnlyMemory<byte> payload, bool retain, string? responseTopic, byte[]? correlation,
        IReadOnlyDictionary<string, string>? userProperties, bool atMostOnce)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            // Chunks are 64 KiB each and never change once read: hand over the caller's array instead of copying it.
            .WithPayloadSegment(MemoryMarshal.TryGetArray(payload, out var segment) ? segment : new ArraySegment<byte>(payload.ToArray()))
            .WithQualityOfServiceLevel(atMostOnce ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain);
        if (responseTopic is not null)
        {
            message.WithResponseTopic(responseTopic);
        }

        if (correlation is not null)
        {
            message.WithCorrelationData(correlation);
        }

        foreach (var (name, value) in userProperties ?? new Dictionary<string, string>())
        {
            message.WithUserProperty(name, new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes(value)));
        }

        return message.Build();
    }
}
