# SPDX-License-Identifier: EUPL-1.2
"""Opens a QGIS project with QGIS itself (Debian's python3-qgis, run by the system Python)
and prints what QGIS made of it as JSON: run by tests/ogc/test_qgis_project.py.

    /usr/bin/python3 tests/ogc/qgis_reader.py PROJECT.qgs
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication, QgsMapLayerType, QgsProject, QgsWkbTypes  # noqa: E402

QgsApplication.setPrefixPath("/usr", True)  # Debian's QGIS: its providers under /usr/lib/qgis
application = QgsApplication([], False)
application.initQgis()
log = []
QgsApplication.messageLog().messageReceived.connect(
    lambda message, tag, level: log.append(f"{tag}: {message}")
)
project = QgsProject.instance()
found = {"read": project.read(sys.argv[1]), "crs": project.crs().authid(), "layers": {}}
for layer in project.mapLayers().values():
    about = {
        "valid": layer.isValid(),
        "provider": layer.providerType(),
        "crs": layer.crs().authid(),
    }
    renderer = layer.renderer()
    if layer.type() == QgsMapLayerType.VectorLayer and layer.isValid():
        about["geometry"] = QgsWkbTypes.geometryDisplayString(layer.geometryType())
        about["features"] = sum(1 for _feature in layer.getFeatures())
        about["renderer"] = renderer.type() if renderer else None
        if about["renderer"] == "categorizedSymbol":
            about["attribute"] = renderer.classAttribute()
            about["categories"] = [
                [c.value(), c.label(), c.symbol().color().name()] for c in renderer.categories()
            ]
    elif layer.type() == QgsMapLayerType.VectorTileLayer:
        about["renderer"] = renderer.type()
        about["styles"] = [
            [style.styleName(), style.filterExpression(), style.symbol().color().name()]
            for style in renderer.styles()
        ]
    found["layers"][layer.name()] = about
found["log"] = log
print(json.dumps(found), flush=True)
os._exit(0)  # QGIS 3.22 may crash while tearing down; the answer is out
