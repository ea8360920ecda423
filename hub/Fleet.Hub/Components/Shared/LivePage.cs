using System.Security.Claims;
using Fleet.Hub.Web;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Fleet.Hub.Components.Shared;

/// <summary>A page that re-reads what it shows when the change feed reports something it cares about. Bursts of
/// changes (eight sensors, many devices) collapse into one reload per <see cref="Coalesce"/>, which keeps the page
/// well inside the 2 s liveness budget without querying the database per message.</summary>
public abstract class LivePage : ComponentBase, IDisposable
{
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(300);
    private int _scheduled;
    private bool _disposed;

    [Inject] internal FleetChanges Changes { get; set; } = default!;

    [CascadingParameter] private Task<AuthenticationState>? Auth { get; set; }

    protected ClaimsPrincipal User { get; private set; } = new();

    protected CancellationToken Aborted => _cts.Token;

    private readonly CancellationTokenSource _cts = new();

    protected override async Task OnInitializedAsync()
    {
        User = Auth is null ? new ClaimsPrincipal() : (await Auth).User;
        Changes.Changed += OnChange;
        await LoadAsync();
    }

    protected override async Task OnParametersSetAsync()
    {
        if (ParametersChanged())
        {
            await LoadAsync();
        }
    }

    /// <summary>Whether a route parameter changed after the first load (navigation between two devices).</summary>
    protected virtual bool ParametersChanged() => false;

    protected abstract Task LoadAsync();

    private protected abstract bool Wants(FleetChange change);

    private void OnChange(FleetChange change)
    {
        if (_disposed || !Wants(change) || Interlocked.Exchange(ref _scheduled, 1) == 1)
        {
            return;
        }

        _ = Task.Delay(Coalesce).ContinueWith(_ => InvokeAsync(async () =>
        {
            Interlocked.Exchange(ref _scheduled, 0);
            if (_disposed)
            {
                return;
            }

            await LoadAsync();
            StateHasChanged();
        }), TaskScheduler.Default);
    }

    public void Dispose()
    {
        _disposed = true;
        Changes.Changed -= OnChange;
        _cts.Cancel();
        GC.SuppressFinalize(this);
    }
}
