using Fleet.Device.Commands;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Messages.Validation;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Device.Link;

/// <summary>Hub commands: routes a <c>cmd</c> message by name to its <see cref="ICommandHandler"/>, records the result
/// as a <c>command</c> event, and answers on the MQTT 5 response topic (only inside the device's own subtree).</summary>
internal sealed class CommandDispatcher
{
    private readonly Dictionary<string, ICommandHandler> _handlers;
    private readonly EventOutbox _events;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;

    public CommandDispatcher(IEnumerable<ICommandHandler> handlers, EventOutbox events, TimeProvider clock, ILogger logger)
    {
        _handlers = handlers.ToDictionary(h => h.Name, StringComparer.Ordinal);
        _events = events;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Raised after a command succeeded: it may have changed what the status reports.</summary>
    public event Action? Succeeded;

    public async Task DispatchAsync(HubConnection connection, DeviceIdentity id, MqttApplicationMessage message, byte[] payload)
    {
        var command = FleetJson.TryDeserialize<DeviceCommand>(payload);
        CommandResponse response;
        if (command is null || string.IsNullOrEmpty(command.Name))
        {
            response = new CommandResponse(false, "malformed_command", "the payload is not a DeviceCommand JSON object ({\"name\":...,\"args\":...})");
        }
        else if (!_handlers.TryGetValue(command.Name, out var handler))
        {
            response = new CommandResponse(false, "unknown_command",
                $"no handler for '{command.Name}'; this agent handles: {string.Join(", ", _handlers.Keys.Order(StringComparer.Ordinal))}");
        }
        else
        {
            try
            {
                response = await handler.HandleAsync(command, connection.Stopping);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.LogError(ex, "Command {Command} failed", command.Name);
                response = new CommandResponse(false, "handler_failed", ex.Message);
            }
        }

        if (response.Detail is { Length: > InboundLimits.MaxResponseDetailLength } detail)
        {
            // The hub drops a response over the protocol's limit whole (docs/protocol.md): send the start of it instead.
            response = response with { Detail = string.Concat(detail.AsSpan(0, InboundLimits.MaxResponseDetailLength - 1), "…") };
        }

        _logger.LogInformation("Command {Command}: {Result}", command?.Name ?? "(malformed)", response.Ok ? "ok" : response.Error);
        if (response.Ok)
        {
            // A command may change what the status reports (trust versions, the pinned hub anchor, maintenance):
            // the hub learns it from the next status, which goes out now rather than at the next interval.
            Succeeded?.Invoke();
        }

        _events.Publish(new DeviceEvent(EventKinds.Command, command?.Name ?? "malformed", _clock.GetUtcNow(),
            Detail: response.Ok ? "ok" : response.Error, Reason: response.Ok ? null : response.Detail));

        var responseTopic = message.ResponseTopic;
        if (string.IsNullOrEmpty(responseTopic))
        {
            return;
        }

        if (!Topics.BelongsTo(responseTopic, id.Serial))
        {
            // The broker would refuse it anyway; answering outside our subtree is never right.
            _logger.LogWarning("Command response topic {Topic} is outside this device's subtree; not answered", responseTopic);
            return;
        }

        var answer = new MqttApplicationMessageBuilder()
            .WithTopic(responseTopic)
            .WithPayload(FleetJson.Serialize(response))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithCorrelationData(message.CorrelationData ?? [])
            .Build();
        await connection.PublishAsync(answer, connection.Stopping);
    }
}
