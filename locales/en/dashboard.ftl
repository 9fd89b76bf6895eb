# Operator dashboard.
dash-title = Figures per receiving unit
dash-col-code = Unit code
dash-col-unit = Unit
dash-col-dossiers = Dossiers
dash-col-online = Filed online
dash-col-postal = Postal
dash-col-on-time = On time
dash-col-late = Late (open)
dash-feedback = Answers rated: { $rated }, of which helpful: { $helpful }.
