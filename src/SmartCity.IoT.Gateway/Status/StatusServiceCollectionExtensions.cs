using Microsoft.Extensions.Options;
using SmartCity.IoT.Gateway.Status.Buildings;
using SmartCity.IoT.Gateway.Status.FloorPlans;
using SmartCity.IoT.Gateway.Status.History;

namespace SmartCity.IoT.Gateway.Status;

internal static class StatusServiceCollectionExtensions
{
    /// <summary>The status pages' services: validated <c>Status</c> options, the place hierarchy (model or tags), the floor plans, the chart history and its sampler, antiforgery for the forms.</summary>
    public static IServiceCollection AddStatusPages(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StatusOptions>().Bind(configuration.GetSection(StatusOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StatusOptions>, StatusOptionsValidator>();
        services.AddSingleton<StatusSnapshotBuilder>();
        services.AddSingleton<TagPlaceHierarchy>();
        services.AddSingleton<ModelPlaceHierarchy>(); // the building model's places when one is registered and loaded, else the tags'
        services.AddSingleton<IPlaceHierarchy>(sp => sp.GetRequiredService<ModelPlaceHierarchy>());
        services.AddSingleton<FloorPlanStore>();
        services.AddSingleton<DeviceHistory>();
        services.AddHostedService<HistorySampler>();
        services.AddAntiforgery(o => o.Cookie.Name = "smartcity.af");
        return services;
    }
}
