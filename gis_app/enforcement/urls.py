from django.urls import path

from gis_app.enforcement import views

urlpatterns = [
    path("route", views.RouteView.as_view(), name="route"),
    path("route/batch", views.RouteBatchView.as_view(), name="route-batch"),
    path("locate", views.LocateView.as_view(), name="locate"),
]
