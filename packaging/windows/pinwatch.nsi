; pinwatch's Windows installer: per user, no administrator rights.
;
;   makensis -DVERSION=0.1.0 -DEXE=path\to\pinwatch.exe -DOUTFILE=... pinwatch.nsi
;   (packaging/windows/installer builds it)
;
; Installs to %LOCALAPPDATA%\Programs\pinwatch: pinwatch.exe, the README
; and the licences, an uninstaller; a Start-menu shortcut that starts the
; agent, carrying pinwatch's AppUserModelID (so Windows 10 and 11 show its
; notifications under pinwatch's name); the agent's autostart (HKCU Run);
; and the entry in "Apps & features".
;
; Silent mode for café admins: `pinwatch-setup.exe /S` installs;
; `uninstall.exe /S` uninstalls and keeps the journal (the checks and alerts
; of the agent, %LOCALAPPDATA%\pinwatch), `uninstall.exe /S /DELETEJOURNAL`
; deletes it too. Interactively, the uninstaller asks.

Unicode true
Target amd64-unicode
RequestExecutionLevel user
SetCompressor /SOLID lzma

!include FileFunc.nsh
!include LogicLib.nsh

!ifndef VERSION
  !error "pass -DVERSION=..."
!endif
!ifndef EXE
  !error "pass -DEXE=path to pinwatch.exe"
!endif
!ifndef OUTFILE
  !define OUTFILE "pinwatch-${VERSION}-setup.exe"
!endif
!ifndef TOP
  !define TOP "..\.."
!endif

!define APP_ID "pinwatch.agent"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\pinwatch"
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"

Name "pinwatch"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\pinwatch"
ShowInstDetails show
ShowUninstDetails show

LoadLanguageFile "${NSISDIR}\Contrib\Language files\English.nlf"
LoadLanguageFile "${NSISDIR}\Contrib\Language files\SimpChinese.nlf"

LangString DeleteJournal ${LANG_ENGLISH} "Also delete pinwatch's journal (its record of checks and alerts) in $LOCALAPPDATA\pinwatch?"
LangString DeleteJournal ${LANG_SIMPCHINESE} "同时删除 pinwatch 的日志（检查和警报记录，位于 $LOCALAPPDATA\pinwatch）吗？"

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

; Sets the AppUserModelID of the shortcut at ${LNK} (IShellLinkW ->
; IPropertyStore, PKEY_AppUserModel_ID, VT_LPWSTR) through the System
; plugin, as NSIS has no instruction for it.
!macro SetShortcutAppId LNK
  System::Call 'ole32::CoCreateInstance(g"{00021401-0000-0000-C000-000000000046}", p0, i1, g"{000214F9-0000-0000-C000-000000000046}", *p.r1) i.r0'
  ${If} $0 = 0
    System::Call '$1->0(g"{0000010b-0000-0000-C000-000000000046}", *p.r2) i.r0'
    ${If} $0 = 0
      System::Call '$2->5(w"${LNK}", i2) i.r0'
      System::Call '$1->0(g"{886D8EEB-8CF2-4446-8D02-CDBA1DBDCF99}", *p.r3) i.r0'
      ${If} $0 = 0
        System::Call '*(&g16"{9F4C2855-9F79-4B39-A8D0-E1D42DE1D5F3}", i5) p.r4'
        System::Call '*(w"${APP_ID}") p.r5'
        System::Call '*(&i2 31, &i2 0, i0, p r5) p.r6'
        System::Call '$3->6(p r4, p r6) i.r0'
        System::Call '$3->7() i.r0'
        System::Call '$2->6(p0, i1) i.r0'
        System::Free $6
        System::Free $5
        System::Free $4
        System::Call '$3->2()'
      ${EndIf}
      System::Call '$2->2()'
    ${EndIf}
    System::Call '$1->2()'
  ${EndIf}
!macroend

Section "pinwatch"
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  File "/oname=pinwatch.exe" "${EXE}"
  File "/oname=README.md" "${TOP}\README.md"
  File "/oname=LICENSE-MIT.txt" "${TOP}\LICENSE-MIT"
  File "/oname=LICENSE-APACHE.txt" "${TOP}\LICENSE-APACHE"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  System::Call 'ole32::CoInitialize(p0)'
  CreateShortCut "$SMPROGRAMS\pinwatch.lnk" "$INSTDIR\pinwatch.exe" "agent" "$INSTDIR\pinwatch.exe" 0
  !insertmacro SetShortcutAppId "$SMPROGRAMS\pinwatch.lnk"
  System::Call 'ole32::CoUninitialize()'

  WriteRegStr HKCU "${RUN_KEY}" "pinwatch" '"$INSTDIR\pinwatch.exe" agent'

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "pinwatch"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "pinwatch developers"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\pinwatch.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  SetShellVarContext current
  ; A running agent holds pinwatch.exe open: stop it first.
  nsExec::Exec 'taskkill /F /IM pinwatch.exe'
  Pop $0

  Delete "$SMPROGRAMS\pinwatch.lnk"
  DeleteRegValue HKCU "${RUN_KEY}" "pinwatch"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  Delete "$INSTDIR\pinwatch.exe"
  Delete "$INSTDIR\README.md"
  Delete "$INSTDIR\LICENSE-MIT.txt"
  Delete "$INSTDIR\LICENSE-APACHE.txt"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"

  ; The journal: asked interactively; silently kept unless /DELETEJOURNAL.
  ${GetParameters} $1
  ClearErrors
  ${GetOptions} $1 "/DELETEJOURNAL" $2
  ${IfNot} ${Errors}
    RMDir /r "$LOCALAPPDATA\pinwatch"
  ${ElseIfNot} ${Silent}
    MessageBox MB_YESNO|MB_ICONQUESTION "$(DeleteJournal)" /SD IDNO IDNO keep
      RMDir /r "$LOCALAPPDATA\pinwatch"
    keep:
  ${EndIf}
SectionEnd
