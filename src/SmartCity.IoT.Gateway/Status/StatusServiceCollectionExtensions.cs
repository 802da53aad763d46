using Microsoft.Extensions.Options;
using SmartCity.IoT.Gateway.Status.Buildings;
using SmartCity.IoT.Gateway.Status.History;

namespace SmartCity.IoT.Gateway.Status;

internal static class StatusServiceCollectionExtensions
{
    /// <summary>The status pages' services: validated <c>Status</c> options, the place hierarchy, the chart history and its sampler, antiforgery for the forms.</summary>
    public static IServiceCollection AddStatusPages(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StatusOptions>().Bind(configuration.GetSection(StatusOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StatusOptions>, StatusOptionsValidator>();
        services.AddSingleton<StatusSnapshotBuilder>();
        services.AddSingleton<IPlaceHierarchy, TagPlaceHierarchy>();
        services.AddSingleton<DeviceHistory>();
        services.AddHostedService<HistorySampler>();
        services.AddAntiforgery(o => o.Cookie.Name = "smartcity.af");
        return services;
    }
}
