using Fleet.Device.Link;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Messages.Validation;

namespace Fleet.Device.Tests.Link;

public sealed class EventOutboxTests
{
    [Fact]
    public void A_detail_or_reason_over_the_protocol_limit_is_cut_so_the_hub_keeps_the_event()
    {
        var outbox = new EventOutbox();
        var long_ = new string('x', InboundLimits.MaxEventTextLength * 3);

        outbox.Publish(new DeviceEvent(EventKinds.Update, UpdateStages.Failed, DateTimeOffset.UtcNow, Detail: long_, Reason: long_));

        Assert.True(outbox.Reader.TryRead(out var queued));
        Assert.Equal(InboundLimits.MaxEventTextLength, queued.Detail!.Length);
        Assert.Equal(InboundLimits.MaxEventTextLength, queued.Reason!.Length);
        Assert.EndsWith("…", queued.Detail, StringComparison.Ordinal);
        Assert.True(InboundValidator.Check(queued).IsValid);
    }
}
